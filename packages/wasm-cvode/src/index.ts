// The WASM backend: instantiates the emscripten module and presents its flat C ABI as @leakbench/workload's
// WorkloadBinding (the same calls and result shapes as the Node-API addon), then hands it to the adapter.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from '@leakbench/core';
import { createStackTable, type StackTable } from './sites.js';
import { createJsHost, FIXTURE_KINDS, workloadBackend, type RawSimulation, type WorkloadBinding, type WorkloadDescription } from '@leakbench/workload';

interface EmModule {
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

/**
 * Where the modules are: this package's wasm/, or $LEAKBENCH_BUILD_DIR/wasm-cvode/wasm — a second build beside the
 * stock one (build.sh writes there when the variable is set; e.g. against a modified SUNDIALS).
 */
const WASM_DIR = process.env.LEAKBENCH_BUILD_DIR ? resolve(process.env.LEAKBENCH_BUILD_DIR, 'wasm-cvode/wasm') + '/' : fileURLToPath(new URL('../wasm/', import.meta.url));
const BUILD_HINT = process.env.LEAKBENCH_BUILD_DIR
  ? `LEAKBENCH_BUILD_DIR=${process.env.LEAKBENCH_BUILD_DIR} bash packages/wasm-cvode/build.sh`
  : 'npm run setup && npx turbo run build --filter=@leakbench/wasm-cvode';
export const WASM_PATH = `${WASM_DIR}leakbench_wasm_cvode.wasm`;
/** The tracking variant for attribution passes: the same sources with -g and a site-recording malloc family. */
export const WASM_SITES_PATH = `${WASM_DIR}leakbench_wasm_cvode_sites.wasm`;

export async function load(): Promise<Backend> {
  const jsPath = `${WASM_DIR}leakbench_wasm_cvode.cjs`;
  if (!existsSync(jsPath) || !existsSync(WASM_PATH)) {
    throw new Error(`the WASM module is not built (${jsPath} missing). Build it: ${BUILD_HINT}`);
  }
  const factory = createRequire(import.meta.url)(jsPath) as (opts: object) => Promise<EmModule>;
  // The JS fixtures, reached from C through lb_host_retain: the shared JS host, and `deferred` here — a C block
  // owned by an unreferenced JS object, freed by a FinalizationRegistry once the GC has collected the object.
  const host = createJsHost();
  let mod: EmModule;
  const finalizer = new FinalizationRegistry<number>((block) => mod._lbw_fixture_free(block));
  const lbHostRetain = (kind: number, bytes: number, block: number) => {
    if (kind !== FIXTURE_KINDS.DEFERRED) return host.retain(kind, bytes);
    finalizer.register({ block }, block);
    return 0;
  };
  // emscripten 3.1.6 would fetch() the .wasm path under Node 20; hand it the bytes instead.
  mod = await factory({ wasmBinary: readFileSync(WASM_PATH), lbHostRetain });
  let stacks: StackTable | null = null;
  // An attribution pass swaps in the tracking variant before its first iteration: the module's state is only its
  // heap, which holds nothing between iterations but what fixtures leak (none yet).
  const trackAllocationSites = async (): Promise<boolean> => {
    const sitesJs = `${WASM_DIR}leakbench_wasm_cvode_sites.cjs`;
    if (!existsSync(sitesJs) || !existsSync(WASM_SITES_PATH)) return false;
    const variant = createRequire(import.meta.url)(sitesJs) as (opts: object) => Promise<EmModule>;
    const table = (stacks = createStackTable(WASM_SITES_PATH));
    mod = await variant({ wasmBinary: readFileSync(WASM_SITES_PATH), lbHostRetain, lbStackId: () => table.current() });
    mod._lbw_track_sites!(1);
    return true;
  };

  const binding: WorkloadBinding = {
    describe: () => JSON.parse(mod.UTF8ToString(mod._lbw_describe_json())) as WorkloadDescription,
    simulate(model, durationMs, logIntervalMs, fixtureKind, fixtureBytes, fixturePeriod, maxSteps): RawSimulation {
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
    allocatorBytes: () => mod._lbw_allocator_in_use(),
    moduleHeapBytes: () => mod._lbw_allocator_in_use(), // dlmalloc serves only this module: allocator = module heap
    wasmMemoryBytes: () => mod.HEAPU8.buffer.byteLength,
    fixtureSupported: (kind) => mod._lbw_fixture_supported(kind) !== 0,
    fixtureGrowth: (kind, bytes, period) => mod._lbw_fixture_growth(kind, bytes, period),
    retainedCount: () => host.count(),
    releaseRetained: () => host.release(),
    trackAllocationSites,
    allocationSites: () => {
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
    },
  };
  return workloadBackend(binding, {
    id: 'wasm',
    description: 'emscripten WebAssembly module, dlmalloc in linear memory',
    mathLibrary: "musl's libm (emscripten): no FMA in WebAssembly, the same algorithms as glibc's generic variants",
  });
}
