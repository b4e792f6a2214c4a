// The WebAssembly probe in a Node cell's process: probe-core.ts wraps the WebAssembly API; here each module's bytes
// are given to rewrite.ts in a child process (cached by content), synchronously (new WebAssembly.Module is), and a
// module is named by the script that instantiated it, whose emscripten glue tells which exports are the allocator's.
// The browser host calls prepareModule from the page's server for a module a page instantiates.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWasmLayout } from '@leakbench/core/cell';
import type { HeaderSum } from './block-set.js';
import { SiteTracker } from './sites.js';
import { createWasmProbe, type ModuleState, type Rewritten, type WasmProbe } from './probe-core.js';
import type { AllocatorKind } from './hook-names.js';

export type { WasmProbe, WasmModuleReport, WasmMemoryReport } from './probe-core.js';

const REWRITE_MAIN = fileURLToPath(new URL('./rewrite-main.js', import.meta.url));
/** Calls kept per allocation in an attribution pass (the alloc hook's parameters after pointer and size). */
const FRAMES = 8;
const REWRITE_SOURCE = fileURLToPath(new URL('./rewrite.js', import.meta.url));

function cacheDir(): string {
  const dir = process.env.LEAKBENCH_WASM_PROBE_CACHE ?? join(tmpdir(), `leakbench-wasm-probe-${process.getuid?.() ?? 0}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const rewriterHash = () => createHash('sha256').update(readFileSync(REWRITE_SOURCE)).digest('hex').slice(0, 12);

const GLUE_NAMES = 'malloc|free|calloc|realloc|memalign|posix_memalign|aligned_alloc|emscripten_builtin_malloc|emscripten_builtin_free';
/**
 * Where an emscripten glue script binds the C allocator's functions to the module's exports — `Module["_malloc"] =
 * Module["asm"]["k"]` (3.1), `Module['_malloc'] = wasmExports['k']` (later), `f._malloc=Z.Da` (closure-minified):
 * the last member of the chain assigned to `_<name>` is the export's name. Export name → C name.
 */
export function glueHints(source: string): Record<string, string> {
  const re = new RegExp(`(?:\\.|\\[["'])_(${GLUE_NAMES})(?:["']\\])?\\s*=\\s*([\\w$]+(?:\\.[\\w$]+|\\[["'][^"']+["']\\])+)\\s*[);,]`, 'g');
  const hints: Record<string, string> = {};
  for (const m of source.matchAll(re)) {
    const last = /(?:\.([\w$]+)|\[["']([^"']+)["']\])$/.exec(m[2]!);
    const exported = last?.[1] ?? last?.[2];
    if (exported) hints[exported] = m[1]!;
  }
  return hints;
}

export function hintsFrom(script: string | null): Record<string, string> {
  if (!script) return {};
  try {
    return glueHints(readFileSync(script, 'utf8'));
  } catch {
    return {};
  }
}

/** Whether a module carries DWARF: its V8 stack positions then name lines, which function frames would lose. */
function hasDwarf(bytes: Uint8Array): boolean {
  try {
    return readWasmLayout(bytes).customSections.includes('.debug_info');
  } catch {
    return false; // not a module V8 will take either: its own error follows
  }
}

/**
 * The rewritten module for `bytes`, from the cache or a child process (synchronous: new WebAssembly.Module is);
 * `frames` > 0 adds the frame globals of attribution passes (rewrite.ts).
 */
function rewrite(bytes: Uint8Array, hash: string, hints: Record<string, string>, frames: number): Rewritten {
  const dir = cacheDir();
  const hintKey = createHash('sha256').update(JSON.stringify(hints)).digest('hex').slice(0, 8);
  const stem = join(dir, `${hash}-${rewriterHash()}-${hintKey}${frames ? `-frames${frames}` : ''}`);
  if (!existsSync(`${stem}.json`)) {
    writeFileSync(`${stem}.in.wasm`, bytes);
    const env = { ...process.env };
    delete env.LD_PRELOAD; // the child is leakbench's, not the measured process
    delete env.NODE_OPTIONS;
    let out: string;
    try {
      out = execFileSync(process.execPath, [REWRITE_MAIN, `${stem}.in.wasm`, `${stem}.wasm`, JSON.stringify(hints), String(frames)], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      // The module still runs, unchanged; its allocator layer says why it is not measured.
      const stderr = String((e as { stderr?: string }).stderr ?? (e as Error).message);
      const line = stderr.split('\n').find((l) => /Error|Abort|assert/i.test(l)) ?? stderr.split('\n')[0] ?? '';
      out = JSON.stringify({ reason: `the load-time rewrite failed (${line.trim().slice(0, 200)})` });
    }
    writeFileSync(`${stem}.json`, out);
  }
  const report = JSON.parse(readFileSync(`${stem}.json`, 'utf8')) as { allocator?: AllocatorKind; wrapped?: string[]; namesFrom?: string; functions?: number[]; reason?: string };
  if (report.reason !== undefined || !report.allocator) return { reason: report.reason ?? 'the rewrite reported nothing', bytes: null };
  // The module as it was given, named by its hash: the frames of attribution passes point into it.
  const givenPath = join(dir, `${hash}.wasm`);
  if (!existsSync(givenPath)) writeFileSync(givenPath, bytes);
  return { allocator: report.allocator, wrapped: report.wrapped ?? [], namesFrom: report.namesFrom ?? '', bytes: new Uint8Array(readFileSync(`${stem}.wasm`)), functions: report.functions ?? [], givenPath, frames };
}

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** The first script on the stack outside this package and Node's internals. */
function caller(): string | null {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  for (const line of stack) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?$/.exec(line.trim());
    if (!m) continue;
    const path = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (!path.startsWith(HERE)) return path;
  }
  return null;
}


/**
 * A module's bytes as given, made ready for the probe: its hash, and its rewrite for `hints` (see glueHints) — with
 * the frame globals of attribution passes when `sites` and the module has no DWARF to name lines.
 */
export function prepareModule(bytes: Uint8Array, instantiatedBy: string | null, hints: Record<string, string>, sites: boolean): ModuleState {
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  const frames = sites && !hasDwarf(bytes) ? FRAMES : 0;
  return { hash, instantiatedBy, rewritten: rewrite(bytes, hash, hints, frames) };
}

/**
 * Wraps the WebAssembly API of this process (once; later calls return the same probe). Call it before any
 * module the cell measures is loaded.
 */
export function installWasmProbe(options: { sumHeaders?: HeaderSum; sites?: boolean } = {}): WasmProbe {
  const g = globalThis as { __leakbenchWasmProbe?: WasmProbe };
  if (g.__leakbenchWasmProbe) return g.__leakbenchWasmProbe;
  const probe = createWasmProbe({
    prepare: (bytes) => {
      const instantiatedBy = caller();
      return prepareModule(bytes, instantiatedBy, hintsFrom(instantiatedBy), options.sites === true);
    },
    ...(options.sumHeaders ? { sumHeaders: options.sumHeaders } : {}),
    sites: new SiteTracker((path) => readFileSync(path)),
  });
  g.__leakbenchWasmProbe = probe;
  return probe;
}
