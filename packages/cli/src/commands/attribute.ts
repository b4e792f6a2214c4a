// `leakbench attribute <run>`: where the growth of cells of an existing run is, without re-running the matrix —
// each chosen cell's attribution pass (harness attribute.ts), stored as cells/<id>/attribution.json, and the
// cell's verdict judged again with it.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readAttribution, readManifest, readSamples, readVerdict, runPaths, UsageError } from '@leakbench/core';
import type { Attribution, CellRecord } from '@leakbench/core';
import { reanalyseCell } from '@leakbench/analysis';
import { attributeCell, reattributeCell } from '@leakbench/harness';
import { commaList, positiveInt } from '../args.js';
import { formatAttribution } from '../format.js';
import { WORKER } from '../worker-path.js';

/** The cells to attribute: those named (each must exist and have a series), else every cell judged leak. */
function chooseCells(dir: string, cells: CellRecord[], named: string[] | null): CellRecord[] {
  if (named) {
    const ids = cells.map((c) => c.spec.id);
    const unknown = named.filter((id) => !ids.includes(id));
    if (unknown.length) throw new UsageError(`no cell ${unknown.map((u) => `'${u}'`).join(', ')} in ${dir}; its cells: ${ids.join(', ')}`);
    return named.map((id) => cells.find((c) => c.spec.id === id)!);
  }
  return cells.filter((c) => readVerdict(dir, c.spec.id)?.decision === 'leak');
}

function requireSeries(dir: string, cell: CellRecord): void {
  const path = runPaths(dir).samples(cell.spec.id);
  let measured = 0;
  try {
    measured = readSamples(path).samples.filter((s) => s.phase === 'measure').length;
  } catch {
    /* missing or unreadable: no series */
  }
  if (cell.status !== 'ok' || measured === 0) {
    throw new UsageError(`cell '${cell.spec.id}' has no finished series (status ${cell.status}, ${measured} measured samples in ${path}); run it first: leakbench run --resume ${dir}`);
  }
}

export function registerAttribute(program: Command): void {
  program
    .command('attribute')
    .description('where the growth of cells of a run is: each cell again with heap snapshots (default: every cell judged leak)')
    .argument('<run>', 'run directory')
    .option('--cells <list>', 'comma list of cell ids (default: the cells whose verdict is leak)')
    .option('--iterations <n>', "iterations of the attribution pass (default: the cell's)", positiveInt('--iterations'))
    .option('--reanalyse', 'analyse the snapshots an earlier pass left again, without running the cells')
    .option('--json', 'print the attributions as JSON')
    .action(async (run: string, o) => {
      const dir = resolve(run);
      const manifest = readManifest(dir);
      const cells = chooseCells(dir, manifest.cells, o.cells ? commaList(o.cells) : null);
      for (const cell of cells) requireSeries(dir, cell);
      if (!cells.length) process.stderr.write(`leakbench: no cell of ${dir} is judged leak; name cells with --cells\n`);
      const out: Attribution[] = [];
      for (const cell of cells) {
        let a: Attribution | null;
        if (o.reanalyse) {
          // The points of the earlier pass: its own iteration count unless one is given.
          a = await reattributeCell(dir, cell, o.iterations ?? readAttribution(dir, cell.spec.id)?.iterations ?? cell.spec.iterations);
          if (!a) throw new UsageError(`cell '${cell.spec.id}' has no snapshots of an earlier pass in ${runPaths(dir).attributionDir(cell.spec.id)}; run: leakbench attribute ${dir} --cells ${cell.spec.id}`);
        } else {
          if (!o.json) process.stderr.write(`attributing ${cell.spec.id} (${o.iterations ?? cell.spec.iterations} iterations, 3 heap snapshots)…\n`);
          a = await attributeCell(dir, manifest, cell, { worker: WORKER, iterations: o.iterations });
        }
        out.push(a);
        // The verdict is judged again with the pass: its snapshots say whether JS heap growth is the program's.
        const verdict = reanalyseCell(dir, cell.spec.id);
        if (!o.json) process.stdout.write(formatAttribution(a, verdict));
      }
      if (o.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    });
}
