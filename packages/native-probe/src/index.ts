// The harness's own native probes, loaded in every cell's process whatever the backend (build.sh builds both):
// - glibc's process-wide bytes in use (mallinfo2), which a plug-in would otherwise need its own addon to read;
// - the exact C heap of the selected native modules, counted by liblbheap.so when the cell's process was started
//   with it preloaded (LD_PRELOAD; see src/preload.c for the rule that makes a block the module's), and in
//   attribution passes that heap's live blocks by allocation stack.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PRELOAD_PATH = fileURLToPath(new URL('../build/Release/liblbheap.so', import.meta.url));
export const PROBE_ADDON_PATH = fileURLToPath(new URL('../build/Release/leakbench_probe.node', import.meta.url));

/** The selected modules' live C heap, as the interposer counts it. */
export interface ModuleHeapCount {
  bytes: number;
  blocks: number;
  /** Blocks the interposer's table had no room for (uncounted): never expected, said when it happens. */
  unrecorded: number;
  /** The interposer's own table of live blocks (glibc chunk bytes): the instrument's memory, not the module's. */
  ownBytes: number;
  /** Paths of the shared objects whose code the count covers (found so far). */
  objects: string[];
  /** Selected objects or code segments beyond the interposer's fixed tables (their blocks are not counted). */
  objectsDropped: number;
}

export interface NativeProbe {
  /** glibc's bytes in use, process-wide, less the interposer's own table. */
  glibcInUse(): number;
  /** null when the process was not started with the interposer preloaded. */
  moduleHeap(): ModuleHeapCount | null;
  /** Paths of every shared object loaded in this process. */
  loadedObjects(): string[];
  /** Whether `path` matches one of the ':'-separated patterns, by the interposer's own rule (fnmatch). */
  matches(patterns: string, path: string): boolean;
  /** Sum over the non-zero keys p of the u32 at heap[p - 4] & mask (the WASM probe's header read, in C). */
  sumHeaders(keys: Uint32Array, heap: ArrayBuffer, mask: number): number;
  /**
   * The interposer records the allocation stack of each selected module's block from now on (attribution passes):
   * false when the process was started without it.
   */
  trackAllocationSites(): boolean;
  /**
   * The selected modules' live blocks by allocation stack and epoch, in the shape of a Backend's allocationSites()
   * (CHeapSites in @leakbench/core); each call starts a new epoch. null without the interposer.
   */
  allocationSites(): { stacks: string[][]; sites: { stack: number; epoch: number; blocks: number; bytes: number }[] } | null;
}

/**
 * Checks a user's module patterns against the shared objects loaded in this process (after the backend loaded):
 * the patterns that match nothing, each with nothing, and the loaded objects a user could have meant.
 */
export function unmatchedPatterns(probe: NativeProbe, patterns: string[]): { unmatched: string[]; candidates: string[] } {
  const loaded = probe.loadedObjects();
  const unmatched = patterns.filter((p) => !loaded.some((path) => probe.matches(p, path)));
  const system = /^(linux-vdso|\/lib|\/usr\/lib|\/lib64)/;
  return { unmatched, candidates: loaded.filter((path) => !system.test(path)) };
}

const BUILD_HINT = 'npm run setup && npx turbo run build --filter=@leakbench/native-probe';

/** The probe addon; throws naming the build command when it is not built. */
export function loadNativeProbe(): NativeProbe {
  if (!existsSync(PROBE_ADDON_PATH)) throw new Error(`leakbench's native probe is not built (${PROBE_ADDON_PATH} missing). Build it: ${BUILD_HINT}`);
  return createRequire(import.meta.url)(PROBE_ADDON_PATH) as NativeProbe;
}

/**
 * The environment that starts a process with the interposer counting the C heap of the shared objects whose path
 * matches one of `modules` (fnmatch patterns; '*.node' — every Node-API addon — when empty). The probe addon is
 * never counted. An LD_PRELOAD already in `env` is kept, after the interposer.
 */
export function interposerEnv(modules: string[], env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!existsSync(PRELOAD_PATH)) throw new Error(`leakbench's malloc interposer is not built (${PRELOAD_PATH} missing). Build it: ${BUILD_HINT}`);
  const preload = [PRELOAD_PATH, ...(env.LD_PRELOAD ?? '').split(/[\s:]+/).filter(Boolean)].join(':');
  return { LD_PRELOAD: preload, LEAKBENCH_NATIVE_MODULES: modules.join(':') || '*.node', LEAKBENCH_NATIVE_MODULES_EXCLUDE: PROBE_ADDON_PATH };
}
