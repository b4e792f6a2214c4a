// The Node-API backend: loads the addon — which implements @leakbench/workload's WorkloadBinding directly — and
// hands it to the workload adapter.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Backend } from '@leakbench/core';
import { createJsHost, workloadBackend, type WorkloadBinding } from '@leakbench/workload';

/** The addon: the WorkloadBinding calls, plus the JS host it calls back for JS fixtures. */
type Addon = Omit<WorkloadBinding, 'retainedCount' | 'releaseRetained' | 'trackAllocationSites' | 'allocationSites'> & Required<Pick<WorkloadBinding, 'trackAllocationSites' | 'allocationSites'>> & {
  setJsHost(retain: (kind: number, bytes: number) => number): void;
  retainedCount(): number;
  releaseRetained(): number;
};

export const ADDON_PATH = fileURLToPath(new URL('../build/Release/leakbench_native_cvode.node', import.meta.url));

export async function load(): Promise<Backend> {
  if (!existsSync(ADDON_PATH)) {
    throw new Error(`the native addon is not built (${ADDON_PATH} missing). Build it: npm run setup && npx turbo run build --filter=@leakbench/native-cvode`);
  }
  const addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
  const host = createJsHost();
  addon.setJsHost(host.retain);
  const binding: WorkloadBinding = {
    ...addon,
    // JS values kept alive: the addon's strong refs (object, list) and the JS host's stores.
    retainedCount: () => addon.retainedCount() + host.count(),
    releaseRetained: () => addon.releaseRetained() + host.release(),
  };
  return workloadBackend(binding, { id: 'native', description: 'Node-API addon (node-addon-api, cmake-js), glibc malloc' });
}
