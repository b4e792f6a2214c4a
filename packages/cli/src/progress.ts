// Progress of a run on stderr: a bar (cells done, iterations/s, ETA) on a terminal, plain lines otherwise.
import cliProgress from 'cli-progress';
import type { RunEvent } from '@leakbench/harness';

export function progressReporter(totalCells: number, totalIterations: number, json: boolean) {
  const tty = process.stderr.isTTY && !json;
  const started = Date.now();
  let iterations = 0;
  // Iterations resumed cells had done before this run: progress, but not this run's rate.
  let before = 0;
  let cellsDone = 0;
  const perCell = new Map<string, number>();
  const bar = tty
    ? new cliProgress.SingleBar(
        { format: 'cells {cells}/{totalCells} |{bar}| {percentage}% iterations | {rate} it/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(totalIterations, 0, { cells: 0, totalCells, rate: '0' });
  const onEvent = (e: RunEvent) => {
    const id = e.cell.spec.id;
    if (e.type === 'cell-progress') {
      iterations += e.done - (perCell.get(id) ?? 0);
      perCell.set(id, e.done);
      const rate = (iterations - before) / Math.max(0.001, (Date.now() - started) / 1000);
      bar?.update(iterations, { cells: cellsDone, totalCells, rate: rate.toFixed(0) });
    } else if (e.type === 'cell-end') {
      cellsDone++;
      // A sequential cell's total was its maximum: what it did not need to run leaves the total (and the ETA).
      if (e.cell.spec.sequential) {
        totalIterations -= Math.max(0, e.cell.spec.iterations - (perCell.get(id) ?? 0));
        bar?.setTotal(totalIterations);
      }
      if (bar) bar.update(iterations, { cells: cellsDone, totalCells });
      else if (!json) process.stderr.write(`[${cellsDone}/${totalCells}] ${id}: ${e.cell.status} (${e.cell.samples} samples)${e.cell.error ? ` — ${e.cell.error}` : ''}\n`);
    } else {
      if (e.from > 0) {
        perCell.set(id, e.from);
        iterations += e.from;
        before += e.from;
        bar?.update(iterations, { cells: cellsDone, totalCells });
      }
      if (!bar && !json) process.stderr.write(`start ${id}${e.from > 0 ? ` (from iteration ${e.from})` : ''}\n`);
    }
  };
  return { onEvent, stop: () => bar?.stop() };
}
