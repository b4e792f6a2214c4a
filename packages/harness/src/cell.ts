// One cell's measurement loop, run inside the cell's fresh Node process (see worker.ts, started by the
// orchestrator with --expose-gc). Runs the iterations, samples after each, appends every sample to disk as it
// goes, and sends nothing over IPC while it measures (IPC traffic leaves JS-heap traces of its own: ≈ 216 B per message); the
// parent follows progress from the samples file. Killing this process loses at most the sample being written.
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { findModel, parseFixture, SampleWriter } from '@leakbench/core';
import type { Backend, CellSpec, Phase, SimulateOptions } from '@leakbench/core';
import { GcCounter, takeSample } from './sampler.js';

/** How many event-loop turns the settle check yields (with a full GC around them). */
export const SETTLE_TURNS = 5;

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

export interface CellHooks {
  /** Called after the sample of iteration `i` is on disk (the attribution pass takes its heap snapshots here). */
  afterSample?: (i: number) => void;
}

export async function runCell(spec: CellSpec, samplesPath: string, backend: Backend, hooks: CellHooks = {}): Promise<number> {
  const fixture = spec.fixtureDef ?? parseFixture(spec.fixture); // parsed when planned; older runs: from the id
  const model = findModel(backend.models(), spec.model);
  // A full (mark-compact) GC: in Node 20's V8 any argument to gc() makes it a minor GC.
  const gcFn = (globalThis as { gc?: () => void }).gc;
  if (spec.gc === 'before-sample' && !gcFn) throw new Error('GC policy before-sample needs node --expose-gc');
  const writer = new SampleWriter(samplesPath);
  const gc = new GcCounter(process.env.LEAKBENCH_GC_LOG ?? null).start();
  const ctx = { gc, probe: () => backend.probe(), t0: process.hrtime.bigint() };
  const sample = async (i: number, phase: Phase, iterNs: number | null) => {
    await yieldLoop(); // one event-loop turn per iteration, as a real host gives its callbacks
    // GC last, right before reading: nothing the event loop allocated since can pass for live heap.
    if (spec.gc === 'before-sample') gcFn!();
    writer.write(takeSample(ctx, i, phase, iterNs));
    if (phase !== 'settle') hooks.afterSample?.(i);
  };
  try {
    await sample(0, 'baseline', null);
    const opts = { model: model.id, durationMs: spec.durationMs, logIntervalMs: spec.logIntervalMs, fixture };
    for (let i = 1; i <= spec.iterations; i++) {
      const iterNs = timedIteration(backend, opts);
      await sample(i, i <= spec.warmup ? 'warmup' : 'measure', iterNs);
    }
    if (spec.settle) {
      // Deferred finalisation check: growth that comes back after GC and event-loop turns is not a leak.
      for (let k = 0; k < SETTLE_TURNS; k++) {
        gcFn?.();
        await yieldLoop();
        await new Promise((r) => setTimeout(r, 5));
      }
      await sample(spec.iterations, 'settle', null);
    }
  } finally {
    gc.stop();
    writer.close();
  }
  return writer.count;
}
