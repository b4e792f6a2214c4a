// One cell's measurement loop, run inside the cell's fresh Node process (see worker.ts, started by the
// orchestrator with --expose-gc). Runs the iterations, samples after each, appends every sample to disk as it
// goes, and sends nothing over IPC while it measures (IPC traffic leaves JS-heap traces of its own: ≈ 216 B per message); the
// parent follows progress from the samples file. Killing this process loses at most the sample being written.
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { findModel, parseFixture, SampleWriter } from '@leakbench/core/cell';
import type { Backend, CellSpec, Phase, SimulateOptions } from '@leakbench/core';
import { GcCounter, takeSample } from './sampler.js';

/** How many event-loop turns the settle check yields (with a full GC around them). */
export const SETTLE_TURNS = 5;

/**
 * Full GCs before each sample (`--gc before-sample`). One is not enough for a byte-exact JS heap: after the GC
 * that promotes an iteration's survivors, V8's old-space bookkeeping (where its allocation area ends up) differs
 * from sample to sample, and in about a third of the processes heapUsed toggles by 250–350 B for the whole run —
 * read as a step, it kept `none` undecided at 20 iterations. A second full GC, with nothing left to move, leaves
 * it the same every time (the series of a `none` cell is flat after its third sample in every process measured).
 */
export const GCS_BEFORE_SAMPLE = 2;

/**
 * One timed iteration. A separate synchronous function on purpose: an async function keeps its whole register
 * file alive across `await`, so a result held there (a 72 kB trace) would survive the GC before the sample
 * in some iterations and not in others.
 */
function timedIteration(backend: Backend, opts: SimulateOptions): number {
  const t = process.hrtime.bigint();
  backend.simulate(opts);
  return Number(process.hrtime.bigint() - t);
}

/**
 * The part of a cell one process runs: iterations from+1 … to, as the cell's segment `segment`. A cell runs in one
 * process (segment 0, iterations 1 … iterations) unless it is recycled (CellSpec.recycle) or continued after an
 * interruption (run --resume). A later segment's fresh process takes its baseline at `from`, runs the cell's
 * warm-up again — uncounted, its samples at iteration `from` — and then counts on; the verdict joins the segments
 * at those warm-up samples (analysis stitchSegments).
 */
export interface CellPart {
  from: number;
  to: number;
  segment: number;
}

export const wholeCell = (spec: CellSpec): CellPart => ({ from: 0, to: spec.iterations, segment: 0 });

/** The parts of a cell from iteration `from` on (none when it is complete): one, or one per `recycle` iterations. */
export function cellParts(spec: CellSpec, from = 0, firstSegment = 0): CellPart[] {
  const every = spec.recycle ?? spec.iterations;
  const parts: CellPart[] = [];
  for (let a = from, k = firstSegment; a < spec.iterations; a += every, k++) parts.push({ from: a, to: Math.min(a + every, spec.iterations), segment: k });
  return parts;
}

/**
 * The signal that asks a sequential cell to stop (the parent sends it when a look decided the cell): the cell ends
 * its current iteration, takes its settle sample and finishes. A signal, not an IPC message: the cell sends and
 * receives nothing over IPC while it measures. Its handler is installed before the baseline, so the one-time cost
 * of installing it is not growth (the signal itself arrives after the look it answers), and stays until the process
 * exits: a stop that crosses the cell's natural end must not kill it.
 */
export const STOP_SIGNAL = 'SIGUSR2';

export interface CellHooks {
  /** Called after the sample of iteration `i` is on disk (the attribution pass takes its heap snapshots here). */
  afterSample?: (i: number) => void;
}

export async function runCell(spec: CellSpec, samplesPath: string, backend: Backend, hooks: CellHooks = {}, part: CellPart = wholeCell(spec)): Promise<number> {
  const fixture = spec.fixtureDef ?? parseFixture(spec.fixture); // parsed when planned; older runs: from the id
  const model = findModel(backend.models(), spec.model);
  // A full (mark-compact) GC: in Node 20's V8 any argument to gc() makes it a minor GC.
  const gcFn = (globalThis as { gc?: () => void }).gc;
  if (spec.gc === 'before-sample' && !gcFn) throw new Error('GC policy before-sample needs node --expose-gc');
  const writer = new SampleWriter(samplesPath);
  const gc = new GcCounter(process.env.LEAKBENCH_GC_LOG ?? null).start();
  const ctx = { gc, probe: () => backend.probe(), t0: process.hrtime.bigint(), segment: part.segment };
  const sample = async (i: number, phase: Phase, iterNs: number | null) => {
    await yieldLoop(); // one event-loop turn per iteration, as a real host gives its callbacks
    // GC last, right before reading: nothing the event loop allocated since can pass for live heap.
    if (spec.gc === 'before-sample') for (let k = 0; k < GCS_BEFORE_SAMPLE; k++) gcFn!();
    writer.write(takeSample(ctx, i, phase, iterNs));
    if (phase !== 'settle') hooks.afterSample?.(i);
  };
  let stopRequested = false;
  const stop = () => {
    stopRequested = true;
  };
  if (spec.sequential) process.on(STOP_SIGNAL, stop);
  let last = part.from;
  try {
    await sample(part.from, 'baseline', null);
    const opts = { model: model.id, durationMs: spec.durationMs, logIntervalMs: spec.logIntervalMs, fixture };
    const fresh = part.segment > 0;
    // A later segment's process warms up again before it counts (its samples stay at iteration `from`).
    for (let w = 0; fresh && w < spec.warmup; w++) await sample(part.from, 'warmup', timedIteration(backend, opts));
    for (let i = part.from + 1; i <= part.to && !stopRequested; i++) {
      const iterNs = timedIteration(backend, opts);
      await sample(i, !fresh && i <= spec.warmup ? 'warmup' : 'measure', iterNs);
      last = i;
    }
    // The settle check belongs to the process that ran the last iterations (of the cell, or before a stop).
    if (spec.settle && (part.to === spec.iterations || stopRequested) && last > part.from) {
      // Deferred finalisation check: growth that comes back after GC and event-loop turns is not a leak.
      for (let k = 0; k < SETTLE_TURNS; k++) {
        gcFn?.();
        await yieldLoop();
        await new Promise((r) => setTimeout(r, 5));
      }
      await sample(last, 'settle', null);
    }
  } finally {
    gc.stop();
    writer.close();
  }
  return writer.count;
}
