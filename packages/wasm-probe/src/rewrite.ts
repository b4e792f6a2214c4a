// Makes a WebAssembly module's C allocator tell the harness about every block it hands out and takes back, so the
// bytes it has in use can be counted exactly in a module leakbench did not build. Runs out of the cell's process
// (rewrite-main.ts): Binaryen's JS build costs ~1 s and ~80 MB of RSS, 44 MB of it JS heap — baggage a measured
// process must not carry.
//
// The allocator's entry points are found by name (the name section, else the exports): emscripten's dlmalloc
// (dlmalloc, dlfree, …, with malloc/free as aliases), emmalloc (emmalloc_*), or a plain malloc/free. Each found
// function keeps its name — so every call, direct, through the table or from JS, still reaches it — but its
// body becomes: depth += 1; result = <the original body, moved to a new function>; depth -= 1; and, when depth is
// back to 0 (the outermost allocator call, not realloc's own malloc), a call to an imported hook: alloc(pointer,
// bytes requested) after a block is handed out, free(pointer) before a block is taken back. The harness keeps the
// live blocks; their sizes are read from the allocator's own chunk headers when it knows the allocator.
import binaryen from 'binaryen';
import { FRAMES_RESET, HOOK_MODULE, type AllocatorKind } from './hook-names.js';

export { HOOK_MODULE, type AllocatorKind };

type EntryKind = 'malloc' | 'free' | 'calloc' | 'realloc' | 'memalign' | 'posix_memalign';

const ENTRY_KINDS: Record<string, EntryKind> = {
  malloc: 'malloc', dlmalloc: 'malloc', emmalloc_malloc: 'malloc', emscripten_builtin_malloc: 'malloc',
  free: 'free', dlfree: 'free', emmalloc_free: 'free', emscripten_builtin_free: 'free',
  calloc: 'calloc', dlcalloc: 'calloc', emmalloc_calloc: 'calloc',
  realloc: 'realloc', dlrealloc: 'realloc', emmalloc_realloc: 'realloc',
  memalign: 'memalign', dlmemalign: 'memalign', emmalloc_memalign: 'memalign', aligned_alloc: 'memalign', emscripten_builtin_memalign: 'memalign',
  posix_memalign: 'posix_memalign', dlposix_memalign: 'posix_memalign', emmalloc_posix_memalign: 'posix_memalign',
};

export interface Instrumented {
  /** The rewritten module. */
  bytes: Uint8Array;
  /**
   * For each function index of the rewritten module, the index of the same function in the module as it was given;
   * -1 for what the rewrite added (the hooks, the allocator entries' new bodies and their moved originals). Maps a
   * frame of the running module back to the given one.
   */
  functions: number[];
  allocator: AllocatorKind;
  /** The functions given hooks: their names, or their kinds and the exports they were found by. */
  wrapped: string[];
  /** Where their names came from. */
  namesFrom: 'name section' | 'exports' | 'JS glue';
}

export interface NotInstrumented {
  bytes: null;
  /** Why the allocator could not be given hooks (said where its layer is reported). */
  reason: string;
}

const F = binaryen.Features;
// Node 20's V8 rejects some encodings Binaryen emits when every feature is on; emit with the fewest that validate.
const FEATURE_SETS = [
  F.MVP | F.MutableGlobals | F.SignExt | F.BulkMemory | F.BulkMemoryOpt | F.NontrappingFPToInt,
  F.MVP | F.MutableGlobals | F.SignExt | F.BulkMemory | F.BulkMemoryOpt | F.NontrappingFPToInt | F.SIMD128 | F.Multivalue,
  F.MVP | F.MutableGlobals | F.SignExt | F.BulkMemory | F.BulkMemoryOpt | F.NontrappingFPToInt | F.SIMD128 | F.Multivalue | F.ReferenceTypes | F.ExceptionHandling,
];

interface Entry {
  /** The function's name inside the module (Binaryen's: its index when the module has no names). */
  name: string;
  kind: EntryKind;
  /** How the report names it: its own name, or its kind and the export it was found by. */
  label: string;
}

/**
 * The allocator's entry points: function name → kind, from the function names, else from the exports' names, else
 * from `hints` (export name → C name, read from the module's JS glue: a minified module's malloc is export "Da").
 */
function findEntries(mod: binaryen.Module, hints: Record<string, string>): { entries: Entry[]; namesFrom: Instrumented['namesFrom'] } {
  const byName = new Map<string, Entry>();
  for (let k = 0; k < mod.getNumFunctions(); k++) {
    const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(k));
    const kind = ENTRY_KINDS[info.name];
    if (kind && !info.module) byName.set(info.name, { name: info.name, kind, label: info.name });
  }
  if (byName.size) return { entries: [...byName.values()], namesFrom: 'name section' };
  const fromExports = (name: (exported: string) => string | undefined) => {
    const found = new Map<string, Entry>();
    for (let k = 0; k < mod.getNumExports(); k++) {
      const info = binaryen.getExportInfo(mod.getExportByIndex(k));
      const cName = name(info.name);
      const kind = cName ? ENTRY_KINDS[cName.replace(/^_/, '')] : undefined;
      if (info.kind !== binaryen.ExternalFunction || !kind) continue;
      const fn = binaryen.getFunctionInfo(mod.getFunction(info.value));
      if (!fn.module) found.set(info.value, { name: info.value, kind, label: `${kind} (export ${info.name})` });
    }
    return [...found.values()];
  };
  const byExport = fromExports((e) => e);
  if (byExport.length) return { entries: byExport, namesFrom: 'exports' };
  return { entries: fromExports((e) => hints[e]), namesFrom: 'JS glue' };
}

function allocatorOf(entries: Entry[]): AllocatorKind {
  if (entries.some((e) => e.name.startsWith('dl'))) return 'dlmalloc';
  if (entries.some((e) => e.name.startsWith('emmalloc'))) return 'emmalloc';
  return 'malloc';
}

/**
 * Whether a function can be the entry point `kind` (wasm32): i32 parameters and result as the C function has them,
 * except that link-time optimisation may have removed constant parameters (a dlposix_memalign whose alignment is
 * always the same takes (out, size)). The pointer is the first parameter where there is one (free, realloc,
 * posix_memalign's out), the size the last.
 */
function hasSignature(info: binaryen.FunctionInfo, kind: EntryKind): boolean {
  const params = binaryen.expandType(info.params);
  if (!params.every((t) => t === binaryen.i32)) return false;
  if (kind === 'free') return params.length >= 1 && info.results === binaryen.none;
  if (info.results !== binaryen.i32) return false;
  const min: Record<EntryKind, number> = { malloc: 1, free: 1, calloc: 1, realloc: 2, memalign: 1, posix_memalign: 2 };
  return params.length >= min[kind] && params.length <= 3;
}

/** What the rewrite adds beyond the allocator's hooks. */
export interface RewriteOptions {
  /**
   * Attribution passes: the innermost `frames` calls of the module, kept in as many globals by a wrapper around
   * each of its functions and handed to the alloc hook after the pointer and size (each a function index of the
   * module as given; -1 past the outermost). 0 (default): none, the hook gets (pointer, size).
   */
  frames?: number;
}

export function instrumentAllocator(input: Uint8Array, hints: Record<string, string> = {}, options: RewriteOptions = {}): Instrumented | NotInstrumented {
  const mod = binaryen.readBinary(input);
  try {
    // Binaryen keeps the binary's function order (imports first): its index is the given module's function index.
    const givenIndex = new Map<string, number>();
    for (let i = 0; i < mod.getNumFunctions(); i++) givenIndex.set(binaryen.getFunctionInfo(mod.getFunctionByIndex(i)).name, i);
    const { entries, namesFrom } = findEntries(mod, hints);
    const usable = entries.filter((e) => hasSignature(binaryen.getFunctionInfo(mod.getFunction(e.name)), e.kind));
    if (!usable.some((e) => e.kind === 'free') || !usable.some((e) => e.kind !== 'free')) {
      const memory = mod.hasMemory() ? '' : ' (and it has no memory of its own)';
      return { bytes: null, reason: entries.length ? `its allocator's functions do not have wasm32 malloc/free signatures${memory}` : `no allocator functions named in its name section, its exports or its JS glue (malloc/free, dlmalloc/dlfree, emmalloc_*)${memory}` };
    }
    const { i32, none } = binaryen;
    const depth = 'leakbench$depth';
    mod.addGlobal(depth, i32, true, mod.i32.const(0));
    const frames = Math.max(0, Math.floor(options.frames ?? 0));
    const frame = (k: number) => `leakbench$frame${k}`;
    for (let k = 0; k < frames; k++) mod.addGlobal(frame(k), i32, true, mod.i32.const(-1));
    // Before the hooks and the allocator's new bodies exist: every function of the module as given is wrapped.
    if (frames) {
      mod.addFunctionImport(ENTER, HOOK_MODULE, 'enter', none, none);
      trackFrames(mod, givenIndex, new Set(usable.map((e) => e.name)), frames, frame);
      // What the harness calls when no call of the module is under way (between iterations): frames left behind by
      // a JS exception thrown out through the module's calls are cleared.
      mod.addFunction(FRAMES_RESET, none, none, [], mod.block(null, Array.from({ length: frames }, (_, k) => mod.global.set(frame(k), mod.i32.const(-1)))));
      mod.addFunctionExport(FRAMES_RESET, FRAMES_RESET);
    }
    mod.addFunctionImport('leakbench$alloc', HOOK_MODULE, 'alloc', binaryen.createType(Array.from({ length: 2 + frames }, () => i32)), none);
    mod.addFunctionImport('leakbench$free', HOOK_MODULE, 'free', binaryen.createType([i32]), none);
    const get = () => mod.global.get(depth, i32);
    const enter = () => mod.global.set(depth, mod.i32.add(get(), mod.i32.const(1)));
    const leave = () => mod.global.set(depth, mod.i32.sub(get(), mod.i32.const(1)));
    const outermost = (cond: number) => mod.i32.and(mod.i32.eqz(get()), cond);
    const alloc = (p: number, n: number) => mod.call('leakbench$alloc', [p, n, ...Array.from({ length: frames }, (_, k) => mod.global.get(frame(k), i32))], none);
    const free = (p: number) => mod.call('leakbench$free', [p], none);
    for (const e of usable) {
      const info = binaryen.getFunctionInfo(mod.getFunction(e.name));
      const original = `leakbench$original$${e.name}`;
      mod.addFunction(original, info.params, info.results, info.vars, mod.copyExpression(info.body));
      const n = binaryen.expandType(info.params).length;
      const arg = (k: number) => mod.local.get(k, i32);
      const result = n; // the wrapper's one extra local
      const call = () => mod.call(original, Array.from({ length: n }, (_, k) => arg(k)), info.results);
      let body: number;
      if (e.kind === 'free') {
        body = mod.block(null, [mod.if(outermost(mod.i32.ne(arg(0), mod.i32.const(0))), free(arg(0))), enter(), call(), leave()]);
      } else if (e.kind === 'realloc') {
        body = mod.block(null, [
          mod.if(outermost(mod.i32.ne(arg(0), mod.i32.const(0))), free(arg(0))),
          enter(), mod.local.set(result, call()), leave(),
          mod.if(mod.i32.eqz(get()), mod.if(mod.local.get(result, i32), alloc(mod.local.get(result, i32), arg(1)),
            // failed with a size: the old block is still there
            mod.if(mod.i32.and(mod.i32.ne(arg(0), mod.i32.const(0)), mod.i32.ne(arg(1), mod.i32.const(0))), alloc(arg(0), arg(1))))),
          mod.local.get(result, i32),
        ], i32);
      } else if (e.kind === 'posix_memalign') {
        body = mod.block(null, [
          enter(), mod.local.set(result, call()), leave(),
          mod.if(outermost(mod.i32.eqz(mod.local.get(result, i32))), alloc(mod.i32.load(0, 4, arg(0)), arg(n - 1))),
          mod.local.get(result, i32),
        ], i32);
      } else {
        const size = e.kind === 'calloc' && n === 2 ? mod.i32.mul(arg(0), arg(1)) : arg(n - 1);
        body = mod.block(null, [
          enter(), mod.local.set(result, call()), leave(),
          mod.if(outermost(mod.i32.ne(mod.local.get(result, i32), mod.i32.const(0))), alloc(mod.local.get(result, i32), size)),
          mod.local.get(result, i32),
        ], i32);
      }
      // Same name, new body: exports, the table and every call site keep pointing at it.
      mod.removeFunction(e.name);
      mod.addFunction(e.name, info.params, info.results, e.kind === 'free' ? [] : [i32], body);
    }
    const features = FEATURE_SETS.find((f) => {
      mod.setFeatures(f);
      return mod.validate();
    });
    if (features === undefined) return { bytes: null, reason: 'the rewritten module does not validate with the features Node 20 supports' };
    // The binary lists imported functions first, then the defined ones in the module's order.
    const infos = Array.from({ length: mod.getNumFunctions() }, (_, i) => binaryen.getFunctionInfo(mod.getFunctionByIndex(i)));
    const replaced = new Set(usable.map((e) => e.name));
    for (const f of infos) if (f.name.startsWith(BODY_PREFIX)) replaced.add(f.name);
    const functions = [...infos.filter((f) => f.module), ...infos.filter((f) => !f.module)].map((f) => (replaced.has(f.name) ? -1 : (givenIndex.get(f.name) ?? -1)));
    return { bytes: mod.emitBinary(), functions, allocator: allocatorOf(usable), wrapped: usable.map((e) => e.label), namesFrom };
  } finally {
    mod.dispose();
  }
}

const BODY_PREFIX = 'leakbench$body$';
/** The hook a wrapper calls when JS calls into the module (no frame of the module below it). */
const ENTER = 'leakbench$enter';

/**
 * Each function of the module as given (not the allocator's entries, which call the hook) becomes a wrapper under
 * its own name — so calls, the table and exports reach it — that keeps the innermost `count` calls in the frame
 * globals: it tells the harness when JS called it (no frame below: the `enter` hook, which takes the JS stack once
 * per call into the module), saves them, shifts them down one, puts its own index (in the module as given) first,
 * calls its original body (moved to a new function), and puts them back. A stack as cheap as a few global moves per call,
 * where a V8 stack trace per allocation costs ~14 µs. A JS exception thrown through a wrapper skips the restore:
 * frames stay stale until an enclosing wrapper returns (emscripten's C++ exceptions and longjmp unwind that way),
 * or, for one thrown out to JS, until the harness calls the reset export between iterations.
 * Functions with several results are left as they are (not listed).
 */
function trackFrames(mod: binaryen.Module, givenIndex: Map<string, number>, skip: Set<string>, count: number, frame: (k: number) => string): void {
  const { i32, none } = binaryen;
  const names: string[] = [];
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
    if (!info.module && !skip.has(info.name) && binaryen.expandType(info.results).length <= 1) names.push(info.name);
  }
  for (const name of names) {
    const info = binaryen.getFunctionInfo(mod.getFunction(name));
    const index = givenIndex.get(name);
    if (index === undefined) continue;
    const params = binaryen.expandType(info.params);
    const inner = `${BODY_PREFIX}${name}`;
    mod.addFunction(inner, info.params, info.results, info.vars, mod.copyExpression(info.body));
    const saved = (k: number) => params.length + k; // the wrapper's locals after its parameters
    const result = params.length + count;
    const body: number[] = [mod.if(mod.i32.eq(mod.global.get(frame(0), i32), mod.i32.const(-1)), mod.call(ENTER, [], none))];
    for (let k = 0; k < count; k++) body.push(mod.local.set(saved(k), mod.global.get(frame(k), i32)));
    body.push(mod.global.set(frame(0), mod.i32.const(index)));
    for (let k = 1; k < count; k++) body.push(mod.global.set(frame(k), mod.local.get(saved(k - 1), i32)));
    const call = mod.call(inner, params.map((t, k) => mod.local.get(k, t)), info.results);
    body.push(info.results === none ? call : mod.local.set(result, call));
    for (let k = 0; k < count; k++) body.push(mod.global.set(frame(k), mod.local.get(saved(k), i32)));
    if (info.results !== none) body.push(mod.local.get(result, info.results));
    mod.removeFunction(name);
    const vars = [...Array.from({ length: count }, () => i32), ...(info.results === none ? [] : [info.results])];
    mod.addFunction(name, info.params, info.results, vars, mod.block(null, body, info.results));
  }
}
