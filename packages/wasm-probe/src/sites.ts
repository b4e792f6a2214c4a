// Allocation stacks of WebAssembly modules leakbench did not build, for attribution passes: the rewritten
// allocator's alloc hook takes a V8 stack trace (structured call sites, not text) and keeps the frames below the
// allocator — the module's own, mapped back from the running (rewritten) module to the module as it was given, as
// '<given module file>@0x<offset>' that C attribution symbolises (DWARF, else the name section, else the function
// index), and the JS that called into it, as text. Distinct stacks are interned once; the table is reached only
// through leakbench's instrument holder (hooks.ts), so heap snapshots leave it out. No Node built-in: a page carries
// it too (the given module's bytes are read through the function its environment passes).
import { readWasmLayout, wasmFunctionAt, type WasmLayout } from '@leakbench/core/wasm-binary';
import { shortPath } from '@leakbench/core/retainers';

/**
 * Frames kept per allocation, and the call sites V8 collects to find them (the probe's two JS frames and the
 * allocator's own first). Collecting costs per call site (~0.4 µs each here), at every allocation of the pass.
 */
const STACK_DEPTH = 12;
const CALL_SITES = STACK_DEPTH + 4;

/** What the tracker needs of a module to map its frames: its running bytes and the rewrite's function map. */
export interface FrameSource {
  /** Calls the module keeps in frame globals (rewrite.ts; 0: none, stacks come from V8). */
  frames: number;
  /** The rewritten module V8 runs. */
  bytes: Uint8Array;
  /** Running function index → the given module's index (-1: added by the rewrite). */
  functions: number[];
  /** A copy of the given module's bytes on disk, which the frames name. */
  givenPath: string;
}

interface Mapper {
  running: WasmLayout;
  given: WasmLayout;
  source: FrameSource;
}

type CallSite = NodeJS.CallSite & { getPosition?(): number };

/** A JS frame as text: function (script:line:column), the script by its last two path parts. */
function jsFrame(c: CallSite): string {
  let script = c.getScriptNameOrSourceURL() ?? '';
  if (script.startsWith('file://')) script = decodeURIComponent(new URL(script).pathname);
  const where = script ? `${shortPath(script)}:${c.getLineNumber()}:${c.getColumnNumber()}` : 'native';
  return `${c.getFunctionName() ?? '(anonymous)'} (${where})`;
}

/** The current stack's call sites, at most `limit` (V8's structured frames, not text). */
function callSites(limit: number): CallSite[] {
  const prepare = Error.prepareStackTrace;
  const saved = Error.stackTraceLimit;
  Error.prepareStackTrace = (_e, sites) => sites;
  Error.stackTraceLimit = limit;
  const holder: { stack?: CallSite[] } = {};
  Error.captureStackTrace(holder);
  const sites = holder.stack ?? []; // formatted on first read: before prepareStackTrace is put back
  Error.prepareStackTrace = prepare;
  Error.stackTraceLimit = saved;
  return sites;
}

export class SiteTracker {
  tracking = false;
  /** How many site counts came before: a block's epoch. */
  epoch = 0;
  private ids = new Map<string, number>();
  /** Raw stacks (module positions, script lines) already mapped, and their ids. */
  private rawIds = new Map<string, number>();
  /** Frames of each stack; id 0 is "not recorded". */
  private stacks: string[][] = [[]];
  private mappers = new WeakMap<FrameSource, Mapper>();
  /** The JS below the latest call into a module with frame globals (enter()). */
  private entry: { frames: string[]; raw: string } | null = null;

  /** `readGiven`: the bytes of a module as it was given, by the path the frames name (a file; a page asks its server). */
  constructor(private readonly readGiven: (path: string) => Uint8Array) {}

  private mapper(source: FrameSource): Mapper {
    let m = this.mappers.get(source);
    if (!m) this.mappers.set(source, (m = { running: readWasmLayout(source.bytes), given: readWasmLayout(this.readGiven(source.givenPath)), source }));
    return m;
  }

  /** The given module's offset of a running module's position; null for code the rewrite added. */
  private givenOffset(m: Mapper, position: number): number | null {
    const r = wasmFunctionAt(m.running, position);
    const g = r < 0 ? -1 : (m.source.functions[r] ?? -1);
    if (g < m.given.importedFunctions) return null;
    const rb = m.running.bodies[r - m.running.importedFunctions]!;
    const gb = m.given.bodies[g - m.given.importedFunctions]!;
    // Within the function when its body kept its size (Binaryen re-encodes it; usually byte for byte), else its start.
    return rb.end - rb.start === gb.end - gb.start ? gb.start + (position - rb.start) : gb.start;
  }

  /**
   * The id of the current stack, called from the alloc hook: frames below the first wasm frame (the allocator's),
   * those of code the rewrite added left out. `sourceOf` finds a wasm frame's module by its instance.
   */
  capture(sourceOf: (instance: unknown) => FrameSource | null): number {
    const sites = callSites(CALL_SITES);
    // The raw stack first — module and position, script and line — cheap to read and to look up: a stack seen
    // before (most allocations) is not mapped again.
    const kept: CallSite[] = [];
    let raw = '';
    for (const c of sites) {
      if (kept.length === STACK_DEPTH + 2) break; // the allocator's own frames, then at most STACK_DEPTH kept
      const url = c.getScriptNameOrSourceURL() ?? '';
      if (url.startsWith('wasm://')) raw += `${url}@${c.getPosition?.()}|`;
      else if (kept.length) raw += `${url}:${c.getLineNumber()}:${c.getColumnNumber()}|`;
      else continue; // JS above the first wasm frame is the probe's own
      kept.push(c);
    }
    let id = this.rawIds.get(raw);
    if (id === undefined) {
      id = this.intern(this.frames(kept, sourceOf));
      this.rawIds.set(raw, id);
    }
    return id;
  }

  /**
   * The id of an allocation's stack in a module rewritten with frame globals (an attribution pass): its innermost
   * calls as the module's globals held them (function indices of the module as given, -1 past the outermost).
   * No V8 stack trace per allocation: a stack deeper than the globals has no JS below it; one that ends inside
   * them has the JS of the call into the module, taken once when it entered (enter()) — two allocations with the
   * same wasm frames need not share it; only the allocator called from JS itself takes a short trace. Each
   * function is named by where its body starts: C attribution names it by function (these modules have no DWARF;
   * one with DWARF is tracked by capture(), whose positions name lines).
   */
  fromFrames(source: FrameSource, f0: number, f1: number, f2: number, f3: number, f4: number, f5: number, f6: number, f7: number): number {
    const given = [f0, f1, f2, f3, f4, f5, f6, f7];
    const depth = given.findIndex((f) => f === undefined || f < 0);
    // JS below: none past a stack deeper than the globals; the call into the module's, taken when it entered
    // (enter()); a short V8 stack trace for the allocator called from JS itself (no frame of the module's code).
    const js = depth < 0 ? null : depth > 0 && this.entry ? this.entry : this.jsBelowWasm(0, STACK_DEPTH);
    const raw = `${source.givenPath}|${f0},${f1},${f2},${f3},${f4},${f5},${f6},${f7}|${js?.raw ?? ''}`;
    let id = this.rawIds.get(raw);
    if (id === undefined) {
      const layout = this.mapper(source).given;
      const frames: string[] = [];
      for (const f of depth < 0 ? given : given.slice(0, depth)) {
        const body = layout.bodies[f - layout.importedFunctions];
        if (body) frames.push(`${source.givenPath}@0x${body.start.toString(16)}`);
      }
      if (js) frames.push(...js.frames.slice(0, STACK_DEPTH - frames.length));
      id = this.intern(frames);
      this.rawIds.set(raw, id);
    }
    return id;
  }

  /**
   * Called by a module with frame globals when JS calls into it (an attribution pass): the JS below that call,
   * which every allocation until the module returns shares — one V8 stack trace per call into the module, not one
   * per allocation.
   */
  enter(): void {
    this.entry = this.jsBelowWasm(1, STACK_DEPTH);
  }

  /**
   * Up to `max` JS call sites below the innermost run of wasm frames on the current stack (`wasmFrames` of the
   * module's own code, so that V8 collects no more call sites than it must: ~0.5 µs each), and their raw key.
   */
  private jsBelowWasm(wasmFrames: number, max: number): { frames: string[]; raw: string } {
    // this function, its caller and the hook; the allocator's entry, its moved body and dlmalloc's own calls
    const all = callSites(3 + 4 + wasmFrames + max);
    const sites: CallSite[] = [];
    let raw = '';
    let inWasm = false;
    for (const c of all) {
      const url = c.getScriptNameOrSourceURL() ?? '';
      if (url.startsWith('wasm://')) inWasm = true;
      else if (inWasm) {
        if (sites.length >= max) break;
        sites.push(c);
        raw += `${url}:${c.getLineNumber()}:${c.getColumnNumber()}|`;
      }
    }
    return { frames: sites.map(jsFrame), raw };
  }

  /** The frames of a raw stack: wasm frames of code the rewrite added left out, the rest named as the header says. */
  private frames(kept: CallSite[], sourceOf: (instance: unknown) => FrameSource | null): string[] {
    const frames: string[] = [];
    for (const c of kept) {
      if (frames.length === STACK_DEPTH) break;
      const url = c.getScriptNameOrSourceURL() ?? '';
      if (!url.startsWith('wasm://')) {
        frames.push(jsFrame(c));
        continue;
      }
      const source = sourceOf(c.getThis());
      const position = c.getPosition?.() ?? -1;
      if (!source) frames.push(`${url}@0x${position.toString(16)}`); // a module the probe did not rewrite
      else {
        const offset = this.givenOffset(this.mapper(source), position);
        if (offset !== null) frames.push(`${source.givenPath}@0x${offset.toString(16)}`);
      }
    }
    return frames;
  }

  private intern(frames: string[]): number {
    const key = frames.join('|');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.stacks.length;
      this.stacks.push(frames);
      this.ids.set(key, id);
    }
    return id;
  }

  /** Every stack so far, index = id. */
  all(): string[][] {
    return this.stacks.map((s) => [...s]);
  }
}
