// Takes one Sample of every memory layer of this Node process (see docs/FORMAT.md for each field).
import { readFileSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { Probes } from '../backend.js';
import type { Phase, Sample } from '../schema.js';

const PAGE_SIZE = 4096; // Linux x86_64/arm64 default; /proc/self/statm counts pages

/** VMS and RSS from /proc/self/statm (Linux); nulls elsewhere. One small read, no parsing of /status. */
function readStatm(): { vms: number | null; rss: number | null } {
  try {
    const [size, resident] = readFileSync('/proc/self/statm', 'latin1').split(' ');
    return { vms: Number(size) * PAGE_SIZE, rss: Number(resident) * PAGE_SIZE };
  } catch {
    return { vms: null, rss: null };
  }
}

/** Cumulative GC counts by kind and pause time, from Node's 'gc' performance entries. */
export class GcCounter {
  minor = 0;
  major = 0;
  incremental = 0;
  weakCallbacks = 0;
  pauseNs = 0;
  private observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) this.minor++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.major++;
      else if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) this.incremental++;
      else if (kind === constants.NODE_PERFORMANCE_GC_WEAKCB) this.weakCallbacks++;
      this.pauseNs += Math.round(e.duration * 1e6);
    }
  });
  start(): this {
    this.observer.observe({ entryTypes: ['gc'] });
    return this;
  }
  stop(): void {
    this.observer.disconnect();
  }
}

export interface SampleContext {
  gc: GcCounter;
  probe: () => Probes;
  t0: bigint;
}

/** Reads every layer. GC entries arrive on the event loop, so callers yield once before sampling. */
export function takeSample(ctx: SampleContext, i: number, phase: Phase, iterNs: number | null): Sample {
  const { vms, rss } = readStatm();
  const mem = process.memoryUsage();
  const heap = v8.getHeapStatistics() as v8.HeapInfo & { used_global_handles_size?: number };
  const probes = ctx.probe();
  return {
    i,
    phase,
    iterNs,
    tMs: Number(process.hrtime.bigint() - ctx.t0) / 1e6,
    vmsBytes: vms,
    rssBytes: rss ?? mem.rss,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: mem.heapUsed,
    heapTotalBytes: mem.heapTotal,
    externalBytes: mem.external,
    arrayBuffersBytes: mem.arrayBuffers,
    globalHandlesBytes: heap.used_global_handles_size ?? null,
    gcMinor: ctx.gc.minor,
    gcMajor: ctx.gc.major,
    gcIncremental: ctx.gc.incremental,
    gcWeakCallbacks: ctx.gc.weakCallbacks,
    gcPauseNs: ctx.gc.pauseNs,
    allocatorBytes: probes.allocatorBytes,
    wasmMemoryBytes: probes.wasmMemoryBytes,
  };
}
