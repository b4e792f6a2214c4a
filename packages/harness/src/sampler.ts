// Takes one Sample of every memory layer of this Node process (see docs/FORMAT.md for each field).
import { closeSync, openSync, readSync } from 'node:fs';
import v8 from 'node:v8';
import type { Probes } from '@leakbench/core';
import type { Phase, Sample } from '@leakbench/core';

const PAGE_SIZE = 4096; // Linux x86_64/arm64 default; /proc/self/statm counts pages

const statmBuf = Buffer.alloc(128);
let statmFd: number | null | undefined;

/**
 * VMS and RSS from /proc/self/statm (Linux); nulls elsewhere. Read into a reused buffer and parsed byte by
 * byte: sampling must not allocate JS garbage or strings that would show up in the heap it measures.
 */
function readStatm(): { vms: number | null; rss: number | null } {
  if (statmFd === undefined) {
    try {
      statmFd = openSync('/proc/self/statm', 'r');
    } catch {
      statmFd = null;
    }
  }
  if (statmFd === null) return { vms: null, rss: null };
  const n = readSync(statmFd, statmBuf, 0, statmBuf.length, 0);
  let field = 0;
  let value = 0;
  let vms = 0;
  for (let k = 0; k < n; k++) {
    const c = statmBuf[k]!;
    if (c >= 48 && c <= 57) value = value * 10 + (c - 48);
    else {
      if (field === 0) vms = value;
      else return { vms: vms * PAGE_SIZE, rss: value * PAGE_SIZE };
      field++;
      value = 0;
    }
  }
  return { vms: null, rss: null };
}

export function closeStatm(): void {
  if (typeof statmFd === 'number') closeSync(statmFd);
  statmFd = undefined;
}

const LINE_END = 10;
const PAT_SCAVENGE = Buffer.from('Scavenge');
const PAT_MINOR_MC = Buffer.from('Minor Mark');
const PAT_MAJOR = Buffer.from('Mark-Compact');
const PAT_MARK_SWEEP = Buffer.from('Mark-sweep');
const PAT_INCREMENTAL = Buffer.from('since start of marking');
const PAT_PAUSE = Buffer.from(' MB, ');

/**
 * Cumulative GC counts by kind and pause time, read from V8's `--trace-gc` lines, which the harness sends to a
 * per-cell log file (one line per GC, flushed as it ends). Node's PerformanceObserver is not used: every 'gc'
 * entry it builds defines per-entry accessor properties, and that shows up as JS-heap growth of its own.
 * Parsed from a reused byte buffer so that sampling leaves nothing behind in the heap it measures.
 * V8 does not trace weak-callback processing as a GC of its own: `weakCallbacks` stays null.
 */
export class GcCounter {
  minor = 0;
  major = 0;
  incremental = 0;
  readonly weakCallbacks = null;
  pauseNs = 0;
  private fd: number | null = null;
  private offset = 0;
  private buf = Buffer.alloc(64 * 1024);
  private carry = 0;

  constructor(readonly logPath: string | null) {}

  start(): this {
    if (this.logPath) {
      try {
        this.fd = openSync(this.logPath, 'r');
      } catch {
        this.fd = null;
      }
    }
    return this;
  }

  get available(): boolean {
    return this.fd !== null;
  }

  /** Reads GC lines written since the last call. */
  update(): void {
    if (this.fd === null) return;
    for (;;) {
      const n = readSync(this.fd, this.buf, this.carry, this.buf.length - this.carry, this.offset);
      if (n <= 0) return;
      this.offset += n;
      const end = this.carry + n;
      let lineStart = 0;
      for (let k = this.buf.indexOf(LINE_END, 0); k !== -1 && k < end; k = this.buf.indexOf(LINE_END, lineStart)) {
        this.countLine(lineStart, k);
        lineStart = k + 1;
      }
      // Keep a partial last line for the next read.
      this.carry = end - lineStart;
      if (this.carry === this.buf.length) this.carry = 0; // a line longer than the buffer: drop it
      else this.buf.copy(this.buf, 0, lineStart, end);
      if (n < this.buf.length - this.carry) return;
    }
  }

  private has(pattern: Buffer, from: number, to: number): boolean {
    const k = this.buf.indexOf(pattern, from);
    return k !== -1 && k < to;
  }

  private countLine(from: number, to: number): void {
    if (this.has(PAT_SCAVENGE, from, to) || this.has(PAT_MINOR_MC, from, to)) this.minor++;
    else if (this.has(PAT_MAJOR, from, to) || this.has(PAT_MARK_SWEEP, from, to)) {
      this.major++;
      if (this.has(PAT_INCREMENTAL, from, to)) this.incremental++;
    } else return;
    // Pause: "..., <ms> / <ms> ms" right after " MB, ".
    const p = this.buf.indexOf(PAT_PAUSE, from);
    if (p === -1 || p >= to) return;
    let ms = 0;
    let scale = 0;
    for (let k = p + PAT_PAUSE.length; k < to; k++) {
      const c = this.buf[k]!;
      if (c >= 48 && c <= 57) {
        ms = ms * 10 + (c - 48);
        if (scale) scale *= 10;
      } else if (c === 46 && !scale) scale = 1;
      else break;
    }
    this.pauseNs += Math.round((scale ? ms / scale : ms) * 1e6);
  }

  stop(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

export interface SampleContext {
  gc: GcCounter;
  probe: () => Probes;
  t0: bigint;
  /** The cell's segment this process runs (0: the first; see cell.ts CellPart). */
  segment?: number;
}

/** Reads every layer. */
export function takeSample(ctx: SampleContext, i: number, phase: Phase, iterNs: number | null): Sample {
  const mem = process.memoryUsage(); // first: the JS heap before this function allocates anything
  const { vms, rss } = readStatm();
  const heap = v8.getHeapStatistics() as v8.HeapInfo & { used_global_handles_size?: number };
  ctx.gc.update();
  const probes = ctx.probe();
  return {
    i,
    phase,
    iterNs,
    tMs: Number(process.hrtime.bigint() - ctx.t0) / 1e6,
    // The probes' own tables are the instrument's pages, not the process's workload (FORMAT.md).
    vmsBytes: vms === null ? null : vms - (probes.ownBytes ?? 0),
    rssBytes: (rss ?? mem.rss) - (probes.ownBytes ?? 0),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: mem.heapUsed,
    heapTotalBytes: mem.heapTotal,
    externalBytes: mem.external - (probes.ownArrayBufferBytes ?? 0),
    arrayBuffersBytes: mem.arrayBuffers - (probes.ownArrayBufferBytes ?? 0),
    globalHandlesBytes: heap.used_global_handles_size ?? null,
    gcMinor: ctx.gc.minor,
    gcMajor: ctx.gc.major,
    gcIncremental: ctx.gc.incremental,
    gcWeakCallbacks: ctx.gc.weakCallbacks,
    gcPauseNs: ctx.gc.pauseNs,
    allocatorBytes: probes.allocatorBytes,
    moduleHeapBytes: probes.moduleHeapBytes ?? null,
    wasmMemoryBytes: probes.wasmMemoryBytes,
    ...(ctx.segment ? { segment: ctx.segment } : {}),
  };
}
