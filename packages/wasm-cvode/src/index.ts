// The WASM backend: instantiates the emscripten module and adapts it to core's Backend interface.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Backend, BuildInfo, Probes, SimulateOptions, SimulationResult } from '@leakbench/core';
import { DEFAULT_MAX_STEPS, findModel, fixtureToC, toModelInfo, toSimulationResult } from '@leakbench/core';
import type { RawModel } from '@leakbench/core';

interface EmModule {
  HEAPF64: Float64Array;
  HEAPU8: Uint8Array;
  UTF8ToString(ptr: number): string;
  lbHostRetain?: (kind: number) => number;
  _lbw_simulate(model: number, duration: number, logInterval: number, kind: number, bytes: number, maxSteps: number): number;
  _lbw_last_numbers(): number;
  _lbw_last_trace(): number;
  _lbw_last_message(): number;
  _lbw_last_flag_name(): number;
  _lbw_last_free(): void;
  _lbw_allocator_in_use(): number;
  _lbw_block_growth(bytes: number): number;
  _lbw_describe_json(): number;
}

const WASM_DIR = fileURLToPath(new URL('../wasm/', import.meta.url));
export const WASM_PATH = `${WASM_DIR}leakbench_wasm_cvode.wasm`;
const LIST_KIND = 2;

export async function load(): Promise<Backend> {
  const jsPath = `${WASM_DIR}leakbench_wasm_cvode.cjs`;
  if (!existsSync(jsPath) || !existsSync(WASM_PATH)) {
    throw new Error(`the WASM module is not built (${jsPath} missing). Build it: npm run setup && npx turbo run build --filter=@leakbench/wasm-cvode`);
  }
  const factory = createRequire(import.meta.url)(jsPath) as (opts: object) => Promise<EmModule>;
  // JS values kept alive by the object/list fixtures, reached from C through lb_host_retain.
  const store: object[] = [];
  // emscripten 3.1.6 would fetch() the .wasm path under Node 20; hand it the bytes instead.
  const mod = await factory({ wasmBinary: readFileSync(WASM_PATH), lbHostRetain: (kind: number) => (store.push(kind === LIST_KIND ? [] : {}), 0) });
  const described = JSON.parse(mod.UTF8ToString(mod._lbw_describe_json())) as Omit<BuildInfo, 'backend'> & { models: RawModel[] };
  const models = described.models.map(toModelInfo);
  const { models: _models, ...build } = described;
  const info: BuildInfo = { ...build, backend: 'wasm' };

  return {
    id: 'wasm',
    description: 'emscripten WebAssembly module, dlmalloc in linear memory',
    info: () => ({ ...info }),
    models: () => models,
    simulate(o: SimulateOptions): SimulationResult {
      const model = findModel(models, o.model);
      const f = fixtureToC(o.fixture);
      const rc = mod._lbw_simulate(models.indexOf(model), o.durationMs, o.logIntervalMs, f.kind, f.bytes, o.maxSteps ?? DEFAULT_MAX_STEPS);
      // Views over linear memory are replaced when it grows: read HEAPF64 only after the call.
      const nums = mod.HEAPF64.subarray(mod._lbw_last_numbers() / 8, mod._lbw_last_numbers() / 8 + 8);
      const [rows, cols, steps, rhsEvals, jacEvals, finalTime, flag, tReached] = Array.from(nums) as number[];
      let trace: Float64Array | undefined;
      if (rc === 0) {
        const ptr = mod._lbw_last_trace() / 8;
        trace = mod.HEAPF64.slice(ptr, ptr + rows! * cols!); // a copy: the C buffer is freed right after
      }
      const raw = {
        rc,
        message: mod.UTF8ToString(mod._lbw_last_message()),
        flagName: mod.UTF8ToString(mod._lbw_last_flag_name()),
        flag: flag!,
        tReached: tReached!,
        trace,
        rows,
        cols,
        steps,
        rhsEvals,
        jacEvals,
        finalTime,
      };
      mod._lbw_last_free();
      return toSimulationResult(raw, model);
    },
    probe: (): Probes => {
      const inUse = mod._lbw_allocator_in_use(); // dlmalloc serves only this module: allocator = module heap
      return { allocatorBytes: inUse, moduleHeapBytes: inUse, wasmMemoryBytes: mod.HEAPU8.buffer.byteLength };
    },
    allocatorBlockGrowth: (bytes: number) => mod._lbw_block_growth(bytes),
    retainedCount: () => store.length,
    releaseRetained: () => store.splice(0).length,
  };
}
