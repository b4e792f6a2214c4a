// Executing a run: every cell of the manifest that is not `ok`, `jobs` at a time, each in its own process
// (cell-process.ts), with run.json kept current on disk after every change and each cell's verdict computed
// once, when it ends, and stored beside its series (the cell's attribution pass follows in the
// same slot: for every cell with --attribute, by default for those whose JS heap V8's JIT leaves unsettled).
// A cell runs in one process, or one per segment when recycled (cell.ts CellPart). Resuming runs only unfinished
// cells, continuing each where its series stopped when its warm-up was over.
import type { ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, openSync, readSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import { lastIteration, readManifest, readSamples, runPaths, writeManifest, writeVerdict } from '@leakbench/core';
import type { CellRecord, CellVerdict, RunManifest, Sample } from '@leakbench/core';
import { cellLooks, isSequential, judgeCell, needsAttribution, type AttributeWhen } from '@leakbench/analysis';
import { attributeCell } from './attribute.js';
import { cellParts, STOP_SIGNAL } from './cell.js';
import { endStatus, startCellProcess, type CellProcessEnd } from './cell-process.js';
import { pendingRecord } from './plan.js';
import { runPool } from './pool.js';

export type RunEvent =
  /** `from`: iterations the cell's series already holds (a resumed cell goes on from there; else 0). */
  | { type: 'cell-start'; cell: CellRecord; from: number }
  | { type: 'cell-progress'; cell: CellRecord; done: number }
  | { type: 'cell-end'; cell: CellRecord };

export interface ExecuteOptions {
  /** Path of the worker entry script that cell processes run (see worker.ts). */
  worker: string;
  onEvent?: (e: RunEvent) => void;
  /** Environment for cell processes (defaults to this process's). */
  env?: NodeJS.ProcessEnv;
  /**
   * Which cells that end ok get their attribution pass (attribute.ts, stored as attribution.json) right after:
   * 'all', 'none', or 'auto' (default: those whose JS heap the JIT leaves unsettled; analysis needsAttribution).
   */
  attribute?: AttributeWhen;
  /** Cells to continue rather than start (resumeRun): the iteration their series reached and their next segment. */
  continueFrom?: Map<string, { from: number; segment: number }>;
}

/** How often (ms) the parent reads a sequential cell's progress: each poll's delay is iterations the cell runs past a look. */
export const SEQUENTIAL_POLL_MS = 20;

export interface RunOutcome {
  manifest: RunManifest;
  failed: CellRecord[];
  interrupted: boolean;
  /** Cells whose attribution pass failed (the cell's own measurement stands), with why. */
  attributionFailed: { cell: string; error: string }[];
}

/** What a finished cell process leaves in its record. */
function recordEnd(cell: CellRecord, end: CellProcessEnd, samples: Sample[], readError: string | null, interrupted: boolean, dir: string, timeoutS: number): void {
  const error = end.error ?? readError;
  cell.exitCode = end.exitCode;
  cell.signal = end.signal;
  cell.endedAt = new Date().toISOString();
  cell.samples = samples.length;
  cell.status = endStatus({ ...end, error }, interrupted);
  cell.error =
    error ??
    (cell.status === 'timeout' ? `exceeded --cell-timeout ${timeoutS}s` : null) ??
    (cell.status === 'crashed' ? `process ended with ${end.signal ? `signal ${end.signal}` : `exit code ${end.exitCode}`} (see ${runPaths(dir).stderr(cell.spec.id)})` : null);
}

/** Runs every cell of the manifest that is not `ok`. Updates run.json after every change. */
export async function executeRun(dir: string, manifest: RunManifest, opts: ExecuteOptions): Promise<RunOutcome> {
  const paths = runPaths(dir);
  const save = () => writeManifest(dir, manifest);
  const running = new Set<ChildProcess>();
  let interrupted = false;
  const attributionFailed: RunOutcome['attributionFailed'] = [];

  const runOne = async (cell: CellRecord) => {
    const id = cell.spec.id;
    const start = opts.continueFrom?.get(id) ?? { from: 0, segment: 0 };
    Object.assign(cell, { status: 'running', startedAt: new Date().toISOString(), endedAt: null, error: null, exitCode: null, signal: null });
    save();
    opts.onEvent?.({ type: 'cell-start', cell, from: start.from });
    // One process, or one per segment (a recycled cell; the rest of a resumed one); the first that fails ends the cell.
    let end: CellProcessEnd = { exitCode: 0, signal: null, finished: true, timedOut: false, error: null };
    // A sequential cell: its looks are taken here, as its series reaches them, and it is stopped when one decides it.
    const looks = isSequential(cell.spec) ? cellLooks(cell.spec, manifest.options.host) : null;
    let current: ChildProcess | null = null;
    const look = (done: number) => {
      if (!looks || looks.due === null || done < looks.due) return;
      let series: Sample[];
      try {
        series = readSamples(paths.samples(id)).samples;
      } catch {
        return; // judged when the cell ends
      }
      if (looks.take(series)) current?.kill(STOP_SIGNAL);
    };
    if (looks && start.from > 0) look(start.from); // a resumed cell may have been decided before it stopped
    for (const part of cellParts(cell.spec, start.from, start.segment)) {
      if (looks?.decided) break;
      const proc = startCellProcess(dir, cell.spec, {
        worker: opts.worker,
        host: manifest.options.host,
        timeoutS: manifest.options.cellTimeoutS,
        env: opts.env,
        part,
        onStart: (build) => {
          cell.build = build;
          save();
        },
        onProgress: (done) => {
          opts.onEvent?.({ type: 'cell-progress', cell, done });
          look(done);
        },
        // A sequential cell is followed closely: it runs on while a look is taken.
        ...(looks ? { pollMs: SEQUENTIAL_POLL_MS } : {}),
      });
      current = proc.child;
      running.add(proc.child);
      end = await proc.ended;
      running.delete(proc.child);
      if (interrupted || !end.finished || end.exitCode !== 0) break;
    }
    let samples: Sample[] = [];
    let readError: string | null = null;
    try {
      samples = readSamples(paths.samples(id)).samples;
    } catch (e) {
      readError = (e as Error).message;
    }
    recordEnd(cell, end, samples, readError, interrupted, dir, manifest.options.cellTimeoutS);
    // Verdicts are computed once, here, and stored beside the series; also for partial series.
    const measured = samples.some((s) => s.phase === 'measure');
    let verdict: CellVerdict | null = null;
    if (measured) {
      try {
        verdict = judgeCell(cell.spec, samples, manifest.options.host);
        writeVerdict(dir, verdict);
      } catch (e) {
        cell.error ??= `verdict failed: ${(e as Error).message}`;
      }
    }
    save();
    if (cell.status === 'ok' && !interrupted && needsAttribution(opts.attribute ?? 'auto', verdict, manifest.options.host)) {
      try {
        const attribution = await attributeCell(dir, manifest, cell, { worker: opts.worker, env: opts.env });
        // Judged again with the pass: its snapshots say whether JS heap growth is the program's.
        if (measured) writeVerdict(dir, judgeCell(cell.spec, samples, manifest.options.host, attribution));
      } catch (e) {
        attributionFailed.push({ cell: id, error: (e as Error).message });
      }
    }
    opts.onEvent?.({ type: 'cell-end', cell });
  };

  await runPool(manifest.cells.filter((c) => c.status !== 'ok'), manifest.options.jobs, runOne, {
    onInterrupt: (sig) => {
      interrupted = true;
      for (const child of running) child.kill(sig === 'SIGINT' ? 'SIGTERM' : sig);
    },
  });
  save();
  return { manifest, failed: manifest.cells.filter((c) => c.status !== 'ok'), interrupted, attributionFailed };
}

/**
 * Where an unfinished cell's series can go on from: its last sample's iteration once the warm-up is over (a
 * fresh process continues it as the next segment), or null (start again). A line cut off mid-write is dropped
 * from the file first; the file as it was is kept beside it as an attempt.
 */
function continuation(path: string, spec: CellRecord['spec']): { from: number; segment: number } | null {
  let read: ReturnType<typeof readSamples>;
  try {
    read = readSamples(path);
  } catch {
    return null; // corrupt inside: keep it aside and start again
  }
  const last = lastIteration(read.samples);
  if (last < Math.max(1, spec.warmup)) return null;
  if (read.truncatedTail) {
    copyFileSync(path, nextAttempt(path));
    truncateSync(path, endOfLastLine(path));
  }
  return { from: last, segment: (read.samples.at(-1)!.segment ?? 0) + 1 };
}

/** The byte offset just past the file's last newline (a sample line is well under the 64 kB looked at). */
function endOfLastLine(path: string): number {
  const size = statSync(path).size;
  const tail = Buffer.alloc(Math.min(size, 1 << 16));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, tail, 0, tail.length, size - tail.length);
  } finally {
    closeSync(fd);
  }
  return size - tail.length + tail.lastIndexOf(10) + 1;
}

const nextAttempt = (path: string) => {
  let n = 1;
  while (existsSync(path.replace(/\.ndjson$/, `.attempt-${n}.ndjson`))) n++;
  return path.replace(/\.ndjson$/, `.attempt-${n}.ndjson`);
};

/**
 * Runs the cells of `dir` that did not finish. A cell interrupted after its warm-up goes on where its series
 * stopped, in a fresh process (the next segment; see cell.ts CellPart); one that stopped earlier starts again,
 * its partial series kept beside as an attempt.
 */
export async function resumeRun(dir: string, opts: ExecuteOptions & { jobs?: number }): Promise<RunOutcome> {
  const manifest = readManifest(dir);
  const paths = runPaths(dir);
  if (opts.jobs) manifest.options.jobs = opts.jobs;
  const continueFrom = new Map<string, { from: number; segment: number }>();
  for (const cell of manifest.cells) {
    if (cell.status === 'ok') continue;
    const samples = paths.samples(cell.spec.id);
    const from = existsSync(samples) ? continuation(samples, cell.spec) : null;
    if (from) continueFrom.set(cell.spec.id, from);
    else if (existsSync(samples)) renameSync(samples, nextAttempt(samples));
    rmSync(paths.verdict(cell.spec.id), { force: true });
    Object.assign(cell, pendingRecord(cell.spec));
  }
  return executeRun(dir, manifest, { ...opts, continueFrom });
}
