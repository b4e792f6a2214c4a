// @leakbench/report: a static site from stored runs. Pages are plain HTML with inline SVG (no scripts, no
// network), so they open from file:// and the same data always gives the same bytes. Run data → view model
// (model.ts) → one module per page (pages/) → files.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readRun, RunDataError, type RunData } from '@leakbench/core';
import { esc, table } from './html.js';
import { runView } from './model.js';
import { cellPage } from './pages/cell.js';
import { comparisonPage } from './pages/compare.js';
import { runIndex } from './pages/run-index.js';
import { runsIndex } from './pages/runs-index.js';

export { decimate } from './decimate.js';
export { esc, formatBytes } from './html.js';
export { seriesPlot, type SeriesPlotOptions } from './plots.js';
export { byteTicks } from './ticks.js';
export { runView, cellView, type RunView, type CellView, type ComparisonView } from './model.js';
export { CELL_ROWS, COMPARE_ROWS } from './rows.js';
export { cellPage, comparisonPage, runIndex };

export interface ReportOptions {
  /** Render the other runs when one cannot be read (they are listed as failed). */
  keepGoing?: boolean;
  title?: string;
}

export interface ReportResult {
  pages: string[];
  failed: { dir: string; error: string }[];
}

/** Writes one run's pages under `outDir`; `root` is the relative path from outDir back to the site root. */
function writeRun(run: RunData, outDir: string, root: string, written: string[], notes = ''): void {
  const write = (rel: string, html: string) => {
    const path = join(outDir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, html);
    written.push(path);
  };
  const view = runView(run);
  write('index.html', runIndex(view, root, notes));
  for (const cell of view.cells) write(cell.href, cellPage(cell, view.id, `../${root}`));
  for (const cmp of view.comparisons) write(cmp.file, comparisonPage(cmp, view.id, `../${root}`));
}

const runFolder = (dir: string, taken: Set<string>) => {
  const base = basename(dir).replace(/[^a-zA-Z0-9._-]+/g, '-') || 'run';
  let name = base;
  for (let k = 2; taken.has(name); k++) name = `${base}-${k}`;
  taken.add(name);
  return name;
};

export async function buildReport(runDirs: string[], outDir: string, options: ReportOptions = {}): Promise<ReportResult> {
  const runs: { dir: string; data: RunData }[] = [];
  const failed: ReportResult['failed'] = [];
  for (const dir of runDirs) {
    try {
      runs.push({ dir, data: readRun(dir) });
    } catch (e) {
      if (!options.keepGoing || !(e instanceof RunDataError)) throw e;
      failed.push({ dir, error: e.message });
    }
  }
  // Build into a sibling temporary folder, then swap: a failed build never leaves half a site.
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const written: string[] = [];
  const failedNote = failed.length ? `<p><b>Runs that could not be read:</b></p>${table(['run', 'error'], failed.map((f) => [esc(f.dir), esc(f.error)]))}` : '';
  if (runs.length === 1) {
    writeRun(runs[0]!.data, tmp, '', written, failedNote);
  } else {
    const taken = new Set<string>();
    const links = runs.map(({ dir, data }) => {
      const folder = runFolder(dir, taken);
      writeRun(data, join(tmp, folder), '../', written);
      const m = data.manifest;
      return { folder, id: m.id, createdAt: m.createdAt, cells: m.cells.length, failed: m.cells.filter((c) => c.status !== 'ok').length };
    });
    writeFileSync(join(tmp, 'index.html'), runsIndex(links, options.title ?? 'runs', failedNote));
    written.push(join(tmp, 'index.html'));
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(dirname(outDir), { recursive: true });
  renameSync(tmp, outDir);
  return { pages: written.map((p) => join(outDir, p.slice(tmp.length + 1))), failed };
}
