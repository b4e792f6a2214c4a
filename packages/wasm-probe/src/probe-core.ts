// The WebAssembly probe's portable part: it wraps a realm's WebAssembly API — instantiate / instantiateStreaming /
// compile / compileStreaming and the Module and Instance constructors — so each module's bytes pass through here on
// their way to V8, gives the instance the hooks its rewritten allocator calls, and counts the bytes the allocator has
// in use. Where the bytes are rewritten and how a module's caller is named is its environment's (ProbeEnv): a Node
// cell's process (hooks.ts) or a page of the browser host. No Node built-in is imported here: a page bundles it.
import { LeakbenchInstrument } from '@leakbench/core/retainers';
import { BlockSet, jsHeaderSum, type HeaderSum } from './block-set.js';
import type { FrameSource } from './sites.js';
import { FRAMES_RESET, HOOK_MODULE, type AllocatorKind } from './hook-names.js';
import type { Probes } from '@leakbench/core';

/** What the rewrite did to one module's bytes. */
export type Rewritten =
  | { allocator: AllocatorKind; wrapped: string[]; namesFrom: string; bytes: Uint8Array; functions: number[]; givenPath: string; frames: number }
  | { reason: string; bytes: null };

/** One instantiated module, as the probe reports it. */
export interface WasmModuleReport {
  /** The script that instantiated it (the first caller outside this package and Node's internals), or null. */
  instantiatedBy: string | null;
  /** sha256 of the module's bytes as it was given, first 12 hex digits. */
  hash: string;
  /** Linear memory (its own or imported) in bytes; null when the instance has none we could find. */
  memoryBytes: number | null;
  /** Bytes its allocator has in use (dlmalloc: chunk sizes from its headers; otherwise bytes requested). */
  allocatorBytes: number | null;
  liveBlocks: number;
  allocator: AllocatorKind | null;
  /** How allocatorBytes is measured, or why it is null. */
  how: string;
}

export interface ModuleState {
  hash: string;
  instantiatedBy: string | null;
  rewritten: Rewritten;
}

interface InstanceState {
  module: ModuleState;
  memory: WebAssembly.Memory | null;
  /** Live blocks: pointer → bytes requested. */
  live: BlockSet;
  /** Frees of pointers never seen handed out: an entry point the rewrite missed (the count is then not exact). */
  unknownFrees: number;
  /** Hook calls so far: the allocator's headers change only inside its own calls, so a sum read at one count holds until the next. */
  calls: number;
  /** The last sum of the live blocks' header sizes, at `calls` hook calls and the memory's size then. */
  lastSum: { calls: number; memoryBytes: number; bytes: number } | null;
  /** The allocator recognised from its blocks' headers (kept once known). */
  recognised: 'dlmalloc' | 'emmalloc' | null;
  /** A module with frame globals: clears them (call only when none of its calls is under way). */
  resetFrames?: () => void;
}

export interface WasmProbe {
  /** How many instances so far (cheap: modules() measures each). */
  count(): number;
  /** Every module instantiated so far. */
  modules(): WasmModuleReport[];
  /** Linear memory of all instances (each Memory once), or null when no instance has one. */
  memoryBytes(): number | null;
  /** Bytes in use by every instance's allocator; null when none, or when any instance's cannot be counted. */
  allocatorBytes(): number | null;
  /** The probe's own tables (array buffers): not the module's, not the host's. */
  ownBytes(): number;
  /** Each linear memory once, with the first module instantiated with it (cheap: no allocator read). */
  memories(): WasmMemoryReport[];
  /**
   * Attribution passes: record each block's allocation stack from now on, in every module whose allocator has
   * hooks; false when none has.
   */
  trackSites(): boolean;
  /** The live blocks of those modules by allocation stack and epoch (a Backend's allocationSites()); starts a new epoch. */
  sites(): { stacks: string[][]; sites: { stack: number; epoch: number; blocks: number; bytes: number }[] };
  /**
   * Attribution passes, between iterations (no call into any module under way): clears the modules' frame
   * globals, which a JS exception thrown out through their calls leaves behind.
   */
  atRest(): void;
}

/** One linear memory and the module it belongs to (the first instantiated with it). */
export interface WasmMemoryReport {
  instantiatedBy: string | null;
  hash: string;
  bytes: number;
}

function toBytes(source: BufferSource): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return new Uint8Array(source);
}

function findMemory(instance: WebAssembly.Instance, imports: WebAssembly.Imports | undefined): WebAssembly.Memory | null {
  for (const v of Object.values(instance.exports)) if (v instanceof WebAssembly.Memory) return v;
  for (const ns of Object.values(imports ?? {})) for (const v of Object.values(ns ?? {})) if (v instanceof WebAssembly.Memory) return v;
  return null;
}

/**
 * Which allocator handed out an instance's live blocks, from their headers, when its functions had no telling
 * name: dlmalloc's in-use chunk has the C-in-use bit (2) in the word before the block and a size of the request
 * plus 4, rounded up to 8, at least 16; emmalloc's used region stores its size (a multiple of 4, request plus 8
 * rounded up) both before the block and in the region's last word. 90 % of the live blocks must agree (at most
 * 4096 looked at); null when they do not, or there are none yet.
 */
function recognise(s: InstanceState): 'dlmalloc' | 'emmalloc' | null {
  if (!s.memory || s.live.size === 0) return null;
  const heap = new Uint32Array(s.memory.buffer);
  let dl = 0;
  let em = 0;
  let seen = 0;
  s.live.forEach((p, n) => {
    if (seen >= 4096) return;
    seen++;
    const head = heap[(p - 4) >>> 2]!;
    const chunk = head & ~7;
    if (head & 2 && chunk >= Math.max(16, n + 4) && chunk <= Math.max(16, n + 4) + 8) dl++;
    const region = head & ~3;
    const end = (p - 4 + region - 4) >>> 2;
    if (!(head & 3) && region >= n + 8 && region <= n + 16 && end < heap.length && heap[end] === region) em++;
  });
  // A block resized in place by a realloc without hooks keeps its first request: most, not all, must agree.
  const most = Math.ceil(0.9 * seen);
  return dl >= most ? 'dlmalloc' : em >= most ? 'emmalloc' : null;
}

/**
 * What leaves a block's chunk size in the u32 before it: dlmalloc's head word less its three flag bits, emmalloc's
 * region size (header and footer included) less its two.
 */
const HEADER_MASK = { dlmalloc: ~7, emmalloc: ~3 } as const;

/** What the probe needs from where it runs (hooks.ts: a Node process; the browser host: a page). */
export interface ProbeEnv {
  /** A module's bytes as given → its hash, the script that instantiated it, and its rewrite (synchronous). */
  prepare(bytes: Uint8Array): ModuleState;
  /** The live blocks' header sum, computed faster elsewhere (the harness's native probe, in C). */
  sumHeaders?: HeaderSum;
  /**
   * The same sum over a block table in a given memory, computed faster (a page's: in WebAssembly); null where it
   * cannot (the JS loop then sums it). With it, the bytes of its own copies (`ownBytes`), left out like the tables.
   */
  sumHeadersIn?: (keys: Uint32Array, memory: WebAssembly.Memory, mask: number) => number | null;
  ownBytes?: () => number;
  /** Allocation stacks of attribution passes (sites.ts); a page without it tracks none. */
  sites?: SiteSource;
}

/** What the probe asks of an allocation-site tracker (sites.ts SiteTracker). */
export interface SiteSource {
  tracking: boolean;
  epoch: number;
  capture(sourceOf: (instance: unknown) => FrameSource | null): number;
  fromFrames(source: FrameSource, f0: number, f1: number, f2: number, f3: number, f4: number, f5: number, f6: number, f7: number): number;
  enter(): void;
  all(): string[][];
}

/** A tracker for where allocation stacks cannot be kept: never tracking. */
const NO_SITES: SiteSource = { tracking: false, epoch: 0, capture: () => 0, fromFrames: () => 0, enter: () => undefined, all: () => [] };

/**
 * Wraps the WebAssembly API of this realm (the Node process, or a page) and returns the probe. Call it once, before
 * any module the cell measures is loaded.
 */
export function createWasmProbe(env: ProbeEnv): WasmProbe {
  const W = WebAssembly;
  const original = { instantiate: W.instantiate, instantiateStreaming: W.instantiateStreaming, compile: W.compile, compileStreaming: W.compileStreaming, Module: W.Module, Instance: W.Instance };
  const modules = new WeakMap<WebAssembly.Module, ModuleState>();
  // The probe's own state is held through leakbench's instrument holder only (the process's references to it go
  // through one), so an attribution pass's heap snapshots leave its tables out: they are neither the program's
  // growth nor V8's (a leaking module's table of live blocks grew "ArrayBuffer" by 464 kB per parse).
  const own = new LeakbenchInstrument({ instances: [] as InstanceState[], byInstance: new WeakMap<object, InstanceState>(), sites: env.sites ?? NO_SITES });
  const instances = () => own.state.instances;
  // A module's rewrite record is its frame source: one object per module, by which the tracker keeps its layouts.
  const frameSource = (instance: unknown): FrameSource | null => {
    const r = instance && typeof instance === 'object' ? own.state.byInstance.get(instance)?.module.rewritten : null;
    return r?.bytes ? r : null;
  };

  const prepare = (source: BufferSource): { bytes: BufferSource; state: ModuleState } => {
    const state = env.prepare(toBytes(source));
    return { bytes: (state.rewritten.bytes as BufferSource | null) ?? source, state };
  };
  const withHooks = (imports: WebAssembly.Imports | undefined, state: InstanceState): WebAssembly.Imports | undefined => {
    if (!state.module.rewritten.bytes) return imports;
    const held = new LeakbenchInstrument(state); // the hooks reach the probe's tables through the holder only
    const source = state.module.rewritten;
    // A module with frame globals hands the innermost FRAMES calls to the hook (fixed parameters: no rest array).
    const hooks = {
      alloc: (p: number, n: number, f0: number, f1: number, f2: number, f3: number, f4: number, f5: number, f6: number, f7: number) => {
        held.state.calls++;
        const sites = own.state.sites;
        if (!sites.tracking) held.state.live.add(p >>> 0, n >>> 0);
        else if (source.frames) held.state.live.add(p >>> 0, n >>> 0, sites.fromFrames(source, f0, f1, f2, f3, f4, f5, f6, f7), sites.epoch);
        else held.state.live.add(p >>> 0, n >>> 0, sites.capture(frameSource), sites.epoch);
      },
      free: (p: number) => {
        const s = held.state;
        s.calls++;
        if (s.live.delete(p >>> 0) < 0) s.unknownFrees++;
      },
      // A module with frame globals: JS called into it.
      enter: () => {
        const sites = own.state.sites;
        if (sites.tracking) sites.enter();
      },
    };
    return { ...imports, [HOOK_MODULE]: hooks };
  };
  const register = (instance: WebAssembly.Instance, imports: WebAssembly.Imports | undefined, state: InstanceState) => {
    state.memory = findMemory(instance, imports);
    const reset = instance.exports[FRAMES_RESET];
    if (typeof reset === 'function') state.resetFrames = reset as () => void;
    instances().push(state);
    own.state.byInstance.set(instance, state);
  };
  const fresh = (module: ModuleState): InstanceState => ({ module, memory: null, live: new BlockSet(), unknownFrees: 0, calls: 0, lastSum: null, recognised: null });
  /** The live blocks' chunk sizes as the allocator records them now; read again only after its next call. */
  const headerBytes = (s: InstanceState, memory: WebAssembly.Memory, mask: number): number => {
    const memoryBytes = memory.buffer.byteLength;
    const last = s.lastSum;
    if (last && last.calls === s.calls && last.memoryBytes === memoryBytes) return last.bytes;
    const inMemory = env.sumHeadersIn;
    const fast: HeaderSum | undefined = env.sumHeaders ?? (inMemory ? (keys, heap, m) => inMemory(keys, memory, m) ?? jsHeaderSum(keys, new Uint32Array(heap), m) : undefined);
    const bytes = s.live.sumHeaders(new Uint32Array(memory.buffer), mask, fast);
    s.lastSum = { calls: s.calls, memoryBytes, bytes };
    return bytes;
  };

  // Module: a constructor V8 also checks with instanceof, so a Proxy of the original keeps its prototype.
  const ModuleProxy = new Proxy(original.Module, {
    construct(target, args: [BufferSource]) {
      const { bytes, state } = prepare(args[0]);
      const module = Reflect.construct(target, [bytes]) as WebAssembly.Module;
      modules.set(module, state);
      return module;
    },
  });
  const InstanceProxy = new Proxy(original.Instance, {
    construct(target, args: [WebAssembly.Module, WebAssembly.Imports | undefined]) {
      const [module, imports] = args;
      const ms = modules.get(module);
      if (!ms) return Reflect.construct(target, args);
      const state = fresh(ms);
      const instance = Reflect.construct(target, [module, withHooks(imports, state)]) as WebAssembly.Instance;
      register(instance, imports, state);
      return instance;
    },
  });
  const instantiate = async (source: BufferSource | WebAssembly.Module, imports?: WebAssembly.Imports): Promise<WebAssembly.WebAssemblyInstantiatedSource | WebAssembly.Instance> => {
    if (source instanceof original.Module) {
      const ms = modules.get(source);
      if (!ms) return original.instantiate(source, imports);
      const state = fresh(ms);
      const instance = await original.instantiate(source, withHooks(imports, state));
      register(instance, imports, state);
      return instance;
    }
    const { bytes, state: ms } = prepare(source);
    const state = fresh(ms);
    const result = await original.instantiate(bytes, withHooks(imports, state));
    modules.set(result.module, ms);
    register(result.instance, imports, state);
    return result;
  };
  const compile = async (source: BufferSource): Promise<WebAssembly.Module> => {
    const { bytes, state } = prepare(source);
    const module = await original.compile(bytes);
    modules.set(module, state);
    return module;
  };
  // As the streaming calls themselves do, a response that is not ok is refused (not its error page read as a module).
  const bytesOf = async (response: Response | PromiseLike<Response>) => {
    const r = await response;
    if (!r.ok) throw new TypeError(`WebAssembly: HTTP status code is not ok (${r.status} for ${r.url})`);
    return new Uint8Array(await r.arrayBuffer());
  };
  Object.assign(W, {
    Module: ModuleProxy,
    Instance: InstanceProxy,
    instantiate,
    compile,
    instantiateStreaming: async (response: Response | PromiseLike<Response>, imports?: WebAssembly.Imports) => instantiate(await bytesOf(response), imports),
    compileStreaming: async (response: Response | PromiseLike<Response>) => compile(await bytesOf(response)),
  });

  // A module without an allocator of its own whose memory is a counted module's (a side module of emscripten's
  // dynamic linking — a tree-sitter grammar — or one with no memory at all) allocates through that module: its
  // blocks are already in that count.
  const sharesCountedMemory = (s: InstanceState) => !s.memory || instances().some((o) => o !== s && o.memory === s.memory && o.module.rewritten.bytes !== null);
  /** The allocator whose block headers give a block's size: the one the rewrite named, else the one recognised. */
  const headerAllocator = (s: InstanceState): 'dlmalloc' | 'emmalloc' | null => {
    const r = s.module.rewritten;
    if (!r.bytes || !s.memory) return null;
    return r.allocator !== 'malloc' ? r.allocator : (s.recognised ??= recognise(s));
  };
  const report = (s: InstanceState): WasmModuleReport => {
    const r = s.module.rewritten;
    const memoryBytes = s.memory ? s.memory.buffer.byteLength : null;
    let allocatorBytes: number | null = null;
    let how: string;
    const kind = headerAllocator(s);
    if (!r.bytes && sharesCountedMemory(s)) how = s.memory ? "no allocator of its own: it allocates in another module's memory, with that module's allocator (counted there)" : 'no memory';
    else if (!r.bytes) how = `not measured: ${r.reason}`;
    else if (kind) {
      // The block's size as its allocator records it, read now, not when it was handed out: a chunk can grow in
      // place without passing through an entry point (a realloc inlined into its caller or without hooks; emmalloc
      // later gives a used region a free neighbour too small to stand alone — yoga's 12-byte blocks go from 20 to
      // 24 bytes, 80 B per iteration of its case study). The u32 before the block, masked (HEADER_MASK).
      allocatorBytes = headerBytes(s, s.memory!, HEADER_MASK[kind]);
      const named = r.allocator !== 'malloc' ? '' : ` (recognised by its block headers)`;
      how = `${kind}'s own sizes of the live blocks${named} (entry points ${r.wrapped.join(', ')}, names from the ${r.namesFrom})`;
    } else {
      allocatorBytes = s.live.requestedBytes;
      how = `bytes requested by the live blocks (the allocator's own overhead not counted; entry points ${r.wrapped.join(', ')}, names from the ${r.namesFrom})`;
    }
    if (s.unknownFrees) how += `; not exact: ${s.unknownFrees} frees of blocks not seen allocated (an entry point without hooks)`;
    return { instantiatedBy: s.module.instantiatedBy, hash: s.module.hash, memoryBytes, allocatorBytes, liveBlocks: s.live.size, allocator: r.bytes ? r.allocator : null, how };
  };
  /** A block's bytes as the module layer counts them: its allocator's chunk size from the header, else the request. */
  const blockSize = (s: InstanceState): ((p: number, requested: number) => number) => {
    const kind = headerAllocator(s);
    if (!kind) return (_p, requested) => requested;
    const heap = new Uint32Array(s.memory!.buffer);
    const mask = HEADER_MASK[kind];
    return (p) => (heap[(p - 4) >>> 2]! & mask) >>> 0;
  };
  const probe: WasmProbe = {
    count: () => instances().length,
    modules: () => instances().map(report),
    memoryBytes: () => {
      const seen = new Set<WebAssembly.Memory>();
      for (const s of instances()) if (s.memory) seen.add(s.memory);
      return seen.size ? [...seen].reduce((a, m) => a + m.buffer.byteLength, 0) : null;
    },
    allocatorBytes: () => {
      let sum = 0;
      let counted = 0;
      for (const s of instances()) {
        const m = report(s);
        if (m.allocatorBytes !== null) {
          sum += m.allocatorBytes;
          counted++;
        } else if (!sharesCountedMemory(s)) return null; // a heap of its own nobody counts
      }
      return counted ? sum : null;
    },
    ownBytes: () => instances().reduce((a, s) => a + s.live.ownBytes(), 0) + (env.ownBytes?.() ?? 0),
    trackSites: () => {
      const hooked = instances().filter((s) => s.module.rewritten.bytes);
      if (!hooked.length) return false;
      for (const s of hooked) s.live.track();
      own.state.sites.tracking = true;
      return true;
    },
    sites: () => {
      const rows = new Map<string, { stack: number; epoch: number; blocks: number; bytes: number }>();
      for (const s of instances()) {
        if (!s.module.rewritten.bytes) continue;
        const size = blockSize(s);
        s.live.forEach((p, requested, stack, epoch) => {
          const key = `${stack} ${epoch}`;
          let row = rows.get(key);
          if (!row) rows.set(key, (row = { stack, epoch, blocks: 0, bytes: 0 }));
          row.blocks++;
          row.bytes += size(p, requested);
        });
      }
      const sites = own.state.sites;
      sites.epoch++;
      // Stacks renumbered densely in the order the rows name them.
      const all = sites.all();
      const position = new Map<number, number>();
      const stacks: string[][] = [];
      const out = [...rows.values()].map((r) => {
        if (!position.has(r.stack)) position.set(r.stack, stacks.push(all[r.stack] ?? []) - 1);
        return { ...r, stack: position.get(r.stack)! };
      });
      return { stacks, sites: out };
    },
    atRest: () => {
      for (const s of instances()) s.resetFrames?.();
    },
    memories: () => {
      const seen = new Set<WebAssembly.Memory>();
      const out: WasmMemoryReport[] = [];
      for (const s of instances()) {
        if (!s.memory || seen.has(s.memory)) continue;
        seen.add(s.memory);
        out.push({ instantiatedBy: s.module.instantiatedBy, hash: s.module.hash, bytes: s.memory.buffer.byteLength });
      }
      return out;
    },
  };
  return probe;
}
export { jsHeaderSum } from './block-set.js';

/**
 * A backend's own probe values completed with the WebAssembly probe's, where the process (or page) instantiated a
 * module: a layer the backend reports wins (its own module, counted from inside); the probe's tables are left out of
 * the layers that would count them (Probes.ownArrayBufferBytes, ownBytes).
 */
export function withWasmLayers(own: Probes, wasm: WasmProbe): Probes {
  const allocator = wasm.allocatorBytes();
  const tables = wasm.ownBytes();
  return {
    allocatorBytes: own.allocatorBytes ?? allocator,
    moduleHeapBytes: own.moduleHeapBytes ?? allocator,
    wasmMemoryBytes: own.wasmMemoryBytes ?? wasm.memoryBytes(),
    ownArrayBufferBytes: (own.ownArrayBufferBytes ?? 0) + tables,
    ownBytes: (own.ownBytes ?? own.ownArrayBufferBytes ?? 0) + tables,
  };
}

/** How one layer of a cell was measured: by whom, with what, or why not (probes.json). */
export interface LayerSource {
  by: 'backend' | 'harness' | null;
  how: string;
}

/** The layer a backend's own probe gave. */
export const ownLayer = (backendId: string): LayerSource => ({ by: 'backend', how: `${backendId}'s own probe` });

/** Where each C layer came from when the WebAssembly probe found modules (withWasmLayers' sources). */
export function wasmLayerSources(own: Probes, wasm: WasmProbe, backendId: string): Record<'allocatorBytes' | 'moduleHeapBytes' | 'wasmMemoryBytes', LayerSource> {
  const how = wasm
    .modules()
    .map((m) => `${m.instantiatedBy ?? 'a module'} (${m.hash}): ${m.how}`)
    .join('; ');
  const counted: LayerSource = wasm.allocatorBytes() !== null ? { by: 'harness', how } : { by: null, how: `not measured: ${how}` };
  const pick = (v: number | null | undefined, harness: LayerSource) => (v !== null && v !== undefined ? ownLayer(backendId) : harness);
  return {
    allocatorBytes: pick(own.allocatorBytes, counted),
    moduleHeapBytes: pick(own.moduleHeapBytes, counted),
    wasmMemoryBytes: pick(own.wasmMemoryBytes, { by: 'harness', how: "the instances' memories, each counted once" }),
  };
}
