// The site's index when it holds several runs: one line per run.
import { esc, page, table } from '../html.js';

export interface RunLink {
  folder: string;
  id: string;
  createdAt: string;
  cells: number;
  failed: number;
}

export function runsIndex(runs: RunLink[], title: string, notes = ''): string {
  const rows = runs.map((r) => [`<a href="${esc(r.folder)}/index.html">${esc(r.id)}</a>`, esc(r.createdAt), String(r.cells), esc(r.failed ? 'some cells failed' : 'all ok')]);
  return page(title, `${notes}${table(['run', 'created', 'cells', 'status'], rows)}`, '');
}
