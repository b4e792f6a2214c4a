// The emscripten module's flat C ABI as @leakbench/workload's WorkloadBinding — the same in Node (index.ts) and in a
// page (browser.ts): only how the module is instantiated differs. No Node or browser API here.
import { createJsHost, FIXTURE_KINDS, type RawSimulation, type WorkloadBinding, type WorkloadDescription } from '@leakbench/workload';
import type { CHeapSites } from '@leakbench/core';
import type { StackTable } from './sites.js';

export interface EmModule {
  HEAPF64: Float64Array;
  HEAPU8: Uint8Array;
  UTF8ToString(ptr: number): string;
  _lbw_simulate(model: number, duration: number, logInterval: number, kind: number, bytes: number, period: number, maxSteps: number): number;
  _lbw_fixture_supported(kind: number): number;
  _lbw_fixture_growth(kind: number, bytes: number, period: number): number;
  _lbw_fixture_free(block: number): void;
  _lbw_last_numbers(): number;
  _lbw_last_trace(): number;
  _lbw_last_message(): number;
  _lbw_last_flag_name(): number;
  _lbw_last_free(): void;
  _lbw_allocator_in_use(): number;
  _lbw_describe_json(): number;
  HEAP32: Int32Array;
  _malloc(n: number): number;
  _free(p: number): void;
  /** The tracking variant only (wasm_sites.c). */
  _lbw_track_sites?(on: number): void;
  _lbw_site_counts?(nOut: number): number;
  _lbw_site_counts_free?(rows: number): void;
}

/** What the module's one JS import (retain.js: lb_host_retain) calls, and what fixtures retain through it. */
export interface JsFixtureHost {
  lbHostRetain: (kind: number, bytes: number, block: number) => number;
  retainedCount: () => number;
  releaseRetained: () => number;
}

/**
 * The JS fixtures, reached from C through lb_host_retain: the shared JS host, and `deferred` here — a C block owned
 * by an unreferenced JS object, freed by a FinalizationRegistry once the GC has collected the object. `current`
 * is the module instance of the moment (an attribution pass swaps in the tracking variant).
 */
export function jsFixtureHost(current: () => EmModule): JsFixtureHost {
  const host = createJsHost();
  const finalizer = new FinalizationRegistry<number>((block) => current()._lbw_fixture_free(block));
  return {
    lbHostRetain: (kind, bytes, block) => {
      if (kind !== FIXTURE_KINDS.DEFERRED) return host.retain(kind, bytes);
      finalizer.register({ block }, block);
      return 0;
    },
    retainedCount: () => host.count(),
    releaseRetained: () => host.release(),
  };
}

/** The binding over the module instance `current()` returns; site tracking only where `sites` is given. */
export function emBinding(current: () => EmModule, js: JsFixtureHost, sites?: { track: () => Promise<boolean>; stacks: () => StackTable | null }): WorkloadBinding {
  return {
    describe: () => {
      const mod = current();
      return JSON.parse(mod.UTF8ToString(mod._lbw_describe_json())) as WorkloadDescription;
    },
    simulate(model, durationMs, logIntervalMs, fixtureKind, fixtureBytes, fixturePeriod, maxSteps): RawSimulation {
      const mod = current();
      const rc = mod._lbw_simulate(model, durationMs, logIntervalMs, fixtureKind, fixtureBytes, fixturePeriod, maxSteps);
      // Views over linear memory are replaced when it grows: read HEAPF64 only after the call.
      const at = mod._lbw_last_numbers() / 8;
      const [rows, cols, steps, rhsEvals, jacEvals, finalTime, flag, tReached] = Array.from(mod.HEAPF64.subarray(at, at + 8)) as number[];
      const ptr = mod._lbw_last_trace() / 8;
      // A copy: the C buffer is freed right below, so it lives exactly one call, as natively.
      const trace = rc === 0 ? mod.HEAPF64.slice(ptr, ptr + rows! * cols!) : null;
      const raw: RawSimulation = {
        rc,
        message: mod.UTF8ToString(mod._lbw_last_message()),
        flag: flag!,
        flagName: mod.UTF8ToString(mod._lbw_last_flag_name()),
        tReached: tReached!,
        trace,
        rows: rows!,
        cols: cols!,
        steps: steps!,
        rhsEvals: rhsEvals!,
        jacEvals: jacEvals!,
        finalTime: finalTime!,
      };
      mod._lbw_last_free();
      return raw;
    },
    allocatorBytes: () => current()._lbw_allocator_in_use(),
    moduleHeapBytes: () => current()._lbw_allocator_in_use(), // dlmalloc serves only this module: allocator = module heap
    wasmMemoryBytes: () => current().HEAPU8.buffer.byteLength,
    fixtureSupported: (kind) => current()._lbw_fixture_supported(kind) !== 0,
    fixtureGrowth: (kind, bytes, period) => current()._lbw_fixture_growth(kind, bytes, period),
    retainedCount: js.retainedCount,
    releaseRetained: js.releaseRetained,
    ...(sites ? { trackAllocationSites: sites.track, allocationSites: () => siteCounts(current(), sites.stacks()) } : {}),
  };
}

/** The live blocks by stack and epoch the tracking variant counted (wasm_sites.c). */
function siteCounts(mod: EmModule, stacks: StackTable | null): CHeapSites {
  if (!stacks) throw new Error('allocationSites() before trackAllocationSites()');
  // Rows of lb_site_count: uint32 stack, uint32 epoch, double blocks, double bytes (24 bytes each).
  const nOut = mod._malloc(8);
  const rows = mod._lbw_site_counts!(nOut);
  const n = mod.HEAP32[nOut >> 2]!;
  mod._free(nOut);
  if (n < 0) throw new Error('out of memory while counting allocation sites');
  const sites = Array.from({ length: n }, (_, k) => {
    const at = rows + k * 24;
    return { stack: mod.HEAP32[at >> 2]! >>> 0, epoch: mod.HEAP32[(at >> 2) + 1]! >>> 0, blocks: mod.HEAPF64[(at + 8) >> 3]!, bytes: mod.HEAPF64[(at + 16) >> 3]! };
  });
  mod._lbw_site_counts_free!(rows);
  return { stacks: stacks.all(), sites };
}
