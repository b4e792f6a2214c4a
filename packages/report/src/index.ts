// @leakbench/report: a static site from stored runs. Pages are plain HTML with inline SVG (no scripts, no
// network), so they open from file:// and the same data always gives the same bytes.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readRun, RunDataError, type RunData } from '@leakbench/core';
import { esc, page, table } from './html.js';
import { cellPage, compareFile, comparisonPage, comparisons, runIndex } from './pages.js';

export { decimate } from './decimate.js';
export { esc, formatBytes } from './html.js';
export { seriesPlot } from './plots.js';
export { cellPage, comparisonPage, runIndex, CELL_ROWS } from './pages.js';

export interface ReportOptions {
  /** Render the other runs when one cannot be read (they are listed as failed). */
  keepGoing?: boolean;
  title?: string;
}

export interface ReportResult {
  pages: string[];
  failed: { dir: string; error: string }[];
}

/** Writes one run's pages under `outDir`; `root` is the relative path back to the site root. */
function writeRun(run: RunData, outDir: string, root: string, written: string[], note = ''): void {
  const write = (rel: string, html: string) => {
    const path = join(outDir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, html);
    written.push(path);
  };
  write('index.html', runIndex(run, root, note));
  for (const cell of run.cells) write(`cells/${cell.record.spec.id}.html`, cellPage(run, cell, `../${root}`));
  for (const [a, b] of comparisons(run)) write(compareFile(a), comparisonPage(run, a, b, `../${root}`));
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
  const failedNote = failed.length
    ? `<p><b>Runs that could not be read:</b></p>${table(['run', 'error'], failed.map((f) => [esc(f.dir), esc(f.error)]))}`
    : '';
  if (runs.length === 1) {
    writeRun(runs[0]!.data, tmp, '', written, failedNote);
  } else {
    const taken = new Set<string>();
    const links = runs.map(({ dir, data }) => {
      const folder = runFolder(dir, taken);
      writeRun(data, join(tmp, folder), '../', written);
      const m = data.manifest;
      return [`<a href="${esc(folder)}/index.html">${esc(m.id)}</a>`, esc(m.createdAt), String(m.cells.length), esc(m.cells.filter((c) => c.status !== 'ok').length ? 'some cells failed' : 'all ok')];
    });
    const html = page(options.title ?? 'runs', `${failedNote}${table(['run', 'created', 'cells', 'status'], links)}`, '');
    writeFileSync(join(tmp, 'index.html'), html);
    written.push(join(tmp, 'index.html'));
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(dirname(outDir), { recursive: true });
  renameSync(tmp, outDir);
  return { pages: written.map((p) => join(outDir, p.slice(tmp.length + 1))), failed };
}
