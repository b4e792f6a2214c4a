// The Node-API backend: loads the addon and adapts it to core's Backend interface.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Backend, BuildInfo, Probes, SimulateOptions, SimulationResult } from '@leakbench/core';
import { DEFAULT_MAX_STEPS, findModel, fixtureToC, toModelInfo, toSimulationResult } from '@leakbench/core';
import type { RawModel, RawSimulation } from '@leakbench/core';

interface Addon {
  simulate(model: string, duration: number, logInterval: number, kind: number, bytes: number, maxSteps: number): RawSimulation;
  models(): RawModel[];
  info(): Omit<BuildInfo, 'backend' | 'emccVersion'> & { emccVersion: string };
  allocatorBytes(): number;
  moduleHeapBytes(): number;
  blockGrowth(bytes: number): number;
  retainedCount(): number;
  releaseRetained(): number;
}

export const ADDON_PATH = fileURLToPath(new URL('../build/Release/leakbench_native_cvode.node', import.meta.url));

export async function load(): Promise<Backend> {
  if (!existsSync(ADDON_PATH)) {
    throw new Error(`the native addon is not built (${ADDON_PATH} missing). Build it: npm run setup && npx turbo run build --filter=@leakbench/native-cvode`);
  }
  const addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
  const models = addon.models().map(toModelInfo);
  const raw = addon.info();
  const info: BuildInfo = { ...raw, backend: 'native', emccVersion: null };
  return {
    id: 'native',
    description: 'Node-API addon (node-addon-api, cmake-js), glibc malloc',
    info: () => ({ ...info }),
    models: () => models,
    simulate(o: SimulateOptions): SimulationResult {
      const model = findModel(models, o.model);
      const f = fixtureToC(o.fixture);
      const r = addon.simulate(o.model, o.durationMs, o.logIntervalMs, f.kind, f.bytes, o.maxSteps ?? DEFAULT_MAX_STEPS);
      return toSimulationResult(r, model);
    },
    probe: (): Probes => ({ allocatorBytes: addon.allocatorBytes(), moduleHeapBytes: addon.moduleHeapBytes(), wasmMemoryBytes: null }),
    allocatorBlockGrowth: (bytes: number) => addon.blockGrowth(bytes),
    retainedCount: () => addon.retainedCount(),
    releaseRetained: () => addon.releaseRetained(),
  };
}
