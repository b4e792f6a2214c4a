// The Node-API backend: loads the addon — which implements @leakbench/workload's WorkloadBinding directly — and
// hands it to the workload adapter.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { masksFmaVariants, type Backend } from '@leakbench/core/cell';
import { createJsHost, workloadBackend, type WorkloadBinding } from '@leakbench/workload';

/** The addon: the WorkloadBinding calls, plus the JS host it calls back for JS fixtures. */
type Addon = Omit<WorkloadBinding, 'retainedCount' | 'releaseRetained' | 'trackAllocationSites' | 'allocationSites'> & Required<Pick<WorkloadBinding, 'trackAllocationSites' | 'allocationSites'>> & {
  setJsHost(retain: (kind: number, bytes: number) => number): void;
  retainedCount(): number;
  releaseRetained(): number;
};

/**
 * Where the addons are: this package's build/, or $LEAKBENCH_BUILD_DIR/native-cvode/build — a second build beside
 * the stock one (build.sh writes there when the variable is set; e.g. against a modified SUNDIALS).
 */
const BUILD_DIR = process.env.LEAKBENCH_BUILD_DIR ? resolve(process.env.LEAKBENCH_BUILD_DIR, 'native-cvode/build') : fileURLToPath(new URL('../build', import.meta.url));
const BUILD_HINT = process.env.LEAKBENCH_BUILD_DIR
  ? `LEAKBENCH_BUILD_DIR=${process.env.LEAKBENCH_BUILD_DIR} bash packages/native-cvode/build.sh`
  : 'npm run setup && npx turbo run build --filter=@leakbench/native-cvode';
export const ADDON_PATH = join(BUILD_DIR, 'Release/leakbench_native_cvode.node');

/**
 * Which of glibc's libm variants this process computes with. glibc picks FMA/AVX2 variants of exp, log, pow… once,
 * at start-up, unless GLIBC_TUNABLES in the environment the process started with masks them (leakbench's
 * `portable` numerics) — then the results equal WASM's musl, bit for bit. Read from process.env, which Node copied
 * at start-up (glibc rewrites the variable in /proc/self/environ while it parses it).
 */
export function nativeMathLibrary(): string {
  let cpuinfo: string;
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'latin1');
  } catch {
    return "glibc's libm (variants not known: no /proc/cpuinfo)";
  }
  const masked = masksFmaVariants(process.env.GLIBC_TUNABLES ?? '');
  const fma = /^flags\s*:.*\bfma4?\b/m.test(cpuinfo);
  if (masked) return "glibc's libm, generic variants (FMA/AVX2 masked by GLIBC_TUNABLES): portable numerics";
  return fma ? "glibc's libm, FMA variants (this CPU has FMA): results differ from WASM's" : "glibc's libm, generic variants (no FMA on this CPU): portable numerics";
}

/**
 * The plain build of the same addon: no allocator wrappers, its own counters report nothing — a stand-in for a
 * prebuilt addon nobody can relink, measured only through the harness's probes (the foreign-module calibration).
 */
export const PLAIN_ADDON_PATH = join(BUILD_DIR, 'Release/leakbench_native_cvode_plain.node');

function loadAddon(path: string, id: string, description: string): Backend {
  if (!existsSync(path)) {
    throw new Error(`the native addon is not built (${path} missing). Build it: ${BUILD_HINT}`);
  }
  const addon = createRequire(import.meta.url)(path) as Addon;
  const host = createJsHost();
  addon.setJsHost(host.retain);
  const binding: WorkloadBinding = {
    ...addon,
    // JS values kept alive: the addon's strong refs (object, list) and the JS host's stores.
    retainedCount: () => addon.retainedCount() + host.count(),
    releaseRetained: () => addon.releaseRetained() + host.release(),
  };
  return workloadBackend(binding, { id, description, mathLibrary: nativeMathLibrary() });
}

export async function load(): Promise<Backend> {
  return loadAddon(ADDON_PATH, 'native', 'Node-API addon (node-addon-api, cmake-js), glibc malloc');
}

/** The plain build (see PLAIN_ADDON_PATH), or a copy of it elsewhere (a test strips one of its debug information or symbols). */
export async function loadPlain(path = PLAIN_ADDON_PATH): Promise<Backend> {
  return loadAddon(path, 'native-plain', 'Node-API addon, plain build (no allocator wrappers), glibc malloc');
}
