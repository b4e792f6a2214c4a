// What the page's runtime (page/runtime.ts) and the cell's Node side (cell.ts, server.ts) say to each other besides
// the DevTools protocol: how a cell starts in the page, the route by which the page has a WebAssembly module
// rewritten for the harness's probe, and what comes back.
import type { BuildInfo, ModelInfo } from '@leakbench/core';
import type { LayerSource, WasmModuleReport } from '@leakbench/wasm-probe/core';

/** How the page loads the backend: its `--option`s, and whether the harness's WebAssembly probe wraps the page first. */
export interface PageStart {
  options: Record<string, string>;
  probes: boolean;
  /** An attribution pass: the probe's modules rewritten to keep their call frames, and their allocation stacks tracked. */
  sites?: boolean;
}

/** POST the module's bytes (query: caller, the URL path of the script instantiating it; sites, 0 or 1). */
export const PREPARE_PATH = '/__leakbench/prepare';
/** POST a given module's path (as PreparedModule named it): its bytes as base64, for the site tracker's layouts. */
export const GIVEN_PATH = '/__leakbench/given';

/** The answer: wasm-probe's ModuleState, the rewritten bytes as base64 (null: not rewritten, and why). */
export interface PreparedModule {
  hash: string;
  instantiatedBy: string | null;
  rewritten: { reason: string; bytes: null } | { allocator: string; wrapped: string[]; namesFrom: string; bytes: string; functions: number[]; givenPath: string; frames: number };
}

/** probes.json of a page cell whose probe ran in the page (harness/probes.ts ProbesReport, native null). */
export interface PageProbesReport {
  layers: Record<'allocatorBytes' | 'moduleHeapBytes' | 'wasmMemoryBytes', LayerSource>;
  native: null;
  wasm: WasmModuleReport[];
}

/** Starts an error the page throws for the user's module, not for leakbench: the plan makes it bad input (exit 2). */
export const BAD_INPUT = 'bad input: ';

/** What a plan learns of a user's module by loading it in a page (page/runtime.ts describe). */
export interface PageDescription {
  id: string;
  description: string;
  info: BuildInfo;
  models: ModelInfo[];
  /** The options it declares (null: none). */
  options: Record<string, string> | null;
  /** Whether it gives simulate() (the full contract: leakbench's fixtures), or only iterate(). */
  simulates: boolean;
}
