// The Node-API backend: loads the addon — which implements @leakbench/workload's WorkloadBinding directly — and
// hands it to the workload adapter.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Backend } from '@leakbench/core';
import { workloadBackend, type WorkloadBinding } from '@leakbench/workload';

export const ADDON_PATH = fileURLToPath(new URL('../build/Release/leakbench_native_cvode.node', import.meta.url));

export async function load(): Promise<Backend> {
  if (!existsSync(ADDON_PATH)) {
    throw new Error(`the native addon is not built (${ADDON_PATH} missing). Build it: npm run setup && npx turbo run build --filter=@leakbench/native-cvode`);
  }
  const addon = createRequire(import.meta.url)(ADDON_PATH) as WorkloadBinding;
  return workloadBackend(addon, { id: 'native', description: 'Node-API addon (node-addon-api, cmake-js), glibc malloc' });
}
