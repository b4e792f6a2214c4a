// Where C heap growth is: the module's live blocks by allocation stack at three points of one process (the
// backend's allocationSites(), see Backend in @leakbench/core, or the harness's malloc interposer's for a module
// leakbench did not build), symbolised with llvm-symbolizer — function and file:line through DWARF (inlined frames
// included) where the module has it, else the function from its ELF symbol tables (.symtab, or .dynsym when
// stripped), else the module's name and offset — each frame saying which of these named it, grouped by the
// allocating call site, compared like the JS snapshots:
// a site grows when its live bytes grew in every interval. Blocks allocated in the first interval and still live at
// the end are counted apart (kept), as valgrind's "definitely/still reachable" cannot: these leaks stay reachable.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readWasmLayout, shortPath, wasmFunctionAt } from '@leakbench/core/cell';
import type { Attribution, CHeapSites, CSite, WasmLayout } from '@leakbench/core';
import { grewInEveryInterval, intervalRates } from './growth.js';

/**
 * What named a frame: the module's debug information (function, file and line), its symbol table (ELF: function
 * only; a file name may come from the table's FILE symbols), its name section (wasm: function only), or nothing (the
 * module's name and the offset, or in wasm the function's index).
 */
export type NameSource = 'dwarf' | 'symbol table' | 'name section' | 'address';

/** One symbolised frame (an inlined call is a frame of its own). */
export interface Frame {
  function: string;
  file: string | null;
  line: number | null;
  /** Absent for frames a backend gave already symbolised. */
  source?: NameSource;
}

/** What a module offers its symboliser, from its section headers. */
export interface ModuleNaming {
  module: string;
  /** DWARF (.debug_info). */
  debugInfo: boolean;
  /** The symbol tables it has, the full one first: '.symtab', '.dynsym' (ELF). */
  symbolTables: string[];
  /** How its frames are named, in words, and why when only by address. */
  naming: string;
}

/** Symbolisers tried in order: the unversioned name, then the LLVM that Debian's emscripten depends on. */
const SYMBOLIZERS = ['llvm-symbolizer', 'llvm-symbolizer-14', 'llvm-symbolizer-15', 'llvm-symbolizer-16'];

/** The first symboliser on PATH, with its version line; null when there is none. */
export function findSymbolizer(): { command: string; version: string } | null {
  for (const command of SYMBOLIZERS) {
    try {
      const out = execFileSync(command, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const version = out.split('\n').find((l) => /version/i.test(l))?.trim() ?? command;
      return { command, version };
    } catch {
      /* not this one */
    }
  }
  return null;
}

/** '<module>+0x<offset>': a return address in an ELF module; '<module>@0x<offset>': a call's position in a .wasm file. */
const FRAME = /^(.+)([+@])0x([0-9a-f]+)$/i;

/** Size and modification time of each module file a site count's frames point into. */
type ModuleStamps = Record<string, { size: number; mtimeMs: number }>;

/**
 * The site counts with a stamp of every module their frames point into, as the attribution pass stores them:
 * symbolising against a module rebuilt since would name the wrong lines, so analysis checks the stamps first.
 */
export function stampModules(sites: CHeapSites): CHeapSites & { modules: ModuleStamps } {
  const modules: ModuleStamps = {};
  for (const frame of sites.stacks.flat()) {
    const path = FRAME.exec(frame)?.[1];
    if (path && !modules[path] && existsSync(path)) {
      const st = statSync(path);
      modules[path] = { size: st.size, mtimeMs: st.mtimeMs };
    }
  }
  return { ...sites, modules };
}

interface SymbolizerEntry {
  Symbol?: { FunctionName?: string; FileName?: string; Line?: number }[];
}

/**
 * Where a wasm file's Code section contents start: its DWARF addresses count from there, while V8's stack traces
 * give offsets in the whole file.
 */
export function wasmCodeOffset(bytes: Uint8Array): number {
  return readWasmLayout(bytes).codeOffset;
}

/**
 * The source function a compiler-made copy belongs to. GCC names the copies it makes of one function by
 * suffixes — a constant-propagated (`.constprop.0`) or reduced-argument (`.isra.0`) clone, the out-of-line part of
 * a partially inlined function (`.part.0`), a cold split (`.cold`), an LTO-private one (`.lto_priv.0`) — and the
 * symboliser may report that name, which a user (or valgrind, which reads the source name) would not recognise.
 */
export function sourceFunction(name: string): string {
  // C names carry the suffix itself; demangled C++ names say it as ` [clone .constprop.0]`.
  return name.replace(/(?: \[clone \.[\w.]+\])+$/, '').replace(/(?:\.(?:constprop|isra|part|lto_priv|cold|localalias|clone)(?:\.\d+)?)+$/, '');
}

/** The objdump of the symboliser's LLVM: 'llvm-symbolizer-14' → 'llvm-objdump-14'. */
export function objdumpFor(symbolizer: string): string {
  return symbolizer.replace(/symbolizer/, 'objdump');
}

/** The section names of an object file (ELF or wasm), from the symboliser's LLVM; null when it cannot read them. */
function sectionNames(module: string, objdump: string): string[] | null {
  try {
    const text = execFileSync(objdump, ['--section-headers', module], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 16 * 1024 * 1024 });
    return text.split('\n').flatMap((l) => /^\s*\d+\s+(\S+)/.exec(l)?.[1] ?? []);
  } catch {
    return null;
  }
}

/** What a module gives its symboliser, said in words a user can act on. */
export function moduleNaming(module: string, sections: string[] | null): ModuleNaming {
  const wasm = /\.wasm$/i.test(module);
  const debugInfo = !!sections?.includes('.debug_info');
  const symbolTables = ['.symtab', '.dynsym'].filter((t) => sections?.includes(t));
  const naming = !sections
    ? 'section headers unreadable: frames named by whatever the symboliser finds'
    : debugInfo
      ? 'DWARF: function, file and line, inlined calls included'
      : symbolTables.length
        ? `no debug information: functions from the ELF symbol table (${symbolTables.join(', ')}), no lines${symbolTables[0] === '.dynsym' ? '; stripped, so only exported functions have names and a static one reads as an address' : ''}`
        : wasm
          ? sections.includes('name')
            ? 'no debug information: functions from the wasm name section, no lines'
            : 'no debug information and no name section: functions by their index in the module (wasm-function[i]; a build with a name section, e.g. emscripten --profiling-funcs, names them)'
          : 'no debug information and no symbol table (stripped): frames by offset in the module';
  return { module, debugInfo, symbolTables, naming };
}

/**
 * Symbolises frames module by module, in one symboliser call each: ELF return addresses one byte before (inside
 * the call), wasm positions as they are, relative to the Code section. A frame the symboliser cannot name reads
 * as its module's file name and offset; text that is not a frame stays as it is. `naming` collects, per module,
 * what it offered.
 */
export function symbolise(frames: string[], command: string, naming?: Map<string, ModuleNaming>): Map<string, Frame[]> {
  const out = new Map<string, Frame[]>();
  const byModule = new Map<string, { frame: string; address: bigint; offset: string; fileOffset: number }[]>();
  const layouts = new Map<string, WasmLayout>();
  for (const f of new Set(frames)) {
    const m = FRAME.exec(f);
    if (!m) {
      out.set(f, [{ function: f, file: null, line: null }]);
      continue;
    }
    const [, module, kind, hex] = m as unknown as [string, string, string, string];
    let address = BigInt(`0x${hex}`);
    if (kind === '+') address = address > 0n ? address - 1n : 0n;
    else {
      if (!layouts.has(module)) layouts.set(module, readWasmLayout(readFileSync(module)));
      address -= BigInt(layouts.get(module)!.codeOffset);
    }
    const list = byModule.get(module) ?? [];
    list.push({ frame: f, address, offset: `${kind}0x${hex}`, fileOffset: Number.parseInt(hex, 16) });
    byModule.set(module, list);
  }
  for (const [module, list] of byModule) {
    naming?.set(module, moduleNaming(module, sectionNames(module, objdumpFor(command))));
    const text = execFileSync(command, ['--obj', module, '--inlines', '--demangle', '--output-style=JSON', ...list.map((x) => `0x${x.address.toString(16)}`)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const entries = JSON.parse(text) as SymbolizerEntry[];
    const base = module.replace(/^.*\//, '');
    const layout = layouts.get(module);
    list.forEach((x, k) => {
      const symbols = (entries[k]?.Symbol ?? []).filter((s) => s.FunctionName && s.FunctionName !== '??');
      out.set(
        x.frame,
        symbols.length
          ? symbols.map((s) => ({
              function: sourceFunction(s.FunctionName!),
              file: s.FileName || null,
              line: s.Line || null,
              source: s.Line ? ('dwarf' as const) : ('symbol table' as const),
            }))
          : layout
            ? [wasmFunctionFrame(layout, x.fileOffset, base)]
            : [{ function: `${base}${x.offset}`, file: null, line: null, source: 'address' as const }],
      );
    });
  }
  return out;
}

/** A wasm frame without DWARF: its function by the name section, else by its index in the module. */
function wasmFunctionFrame(layout: WasmLayout, fileOffset: number, module: string): Frame {
  const index = wasmFunctionAt(layout, fileOffset);
  const name = layout.names?.get(index);
  if (name) return { function: sourceFunction(name), file: null, line: null, source: 'name section' };
  return { function: index >= 0 ? `${module} wasm-function[${index}]` : `${module}@0x${fileOffset.toString(16)}`, file: null, line: null, source: 'address' };
}

/** A frame as one line: function (file:line), the file by its last two path parts. */
export function frameText(f: Frame): string {
  if (!f.file) return f.function;
  const file = shortPath(f.file);
  return `${f.function} (${file}${f.line ? `:${f.line}` : ''})`;
}

/** The allocator's own entry points: a block is allocated *at* the first frame past them. */
const ALLOCATOR_ENTRY = /^(__wrap_\w+|malloc|calloc|realloc|reallocf|free|memalign|posix_memalign|aligned_alloc|valloc|pvalloc|strdup|strndup|operator new(\[\])?\(.*\)|_Zn[wa]m\w*)$/;

/**
 * A stack's frames past the allocator: physical frames whose own function (the outermost of their inlined chain)
 * is a link-time wrapper (__wrap_*) or an allocator entry point are dropped from the top, then inlined frames of
 * entry points (malloc inlined into its caller).
 */
export function callerFrames(stack: string[], symbols: Map<string, Frame[]>): Frame[] {
  const physical = stack.map((f) => symbols.get(f) ?? [{ function: f, file: null, line: null }]);
  let k = 0;
  while (k < physical.length && ALLOCATOR_ENTRY.test(physical[k]!.at(-1)!.function)) k++;
  const frames = physical.slice(k).flat();
  let j = 0;
  while (j < frames.length - 1 && ALLOCATOR_ENTRY.test(frames[j]!.function)) j++;
  return frames.slice(j);
}

interface SiteAcc {
  frames: Frame[];
  /** Live bytes and blocks at each snapshot. */
  bytes: number[];
  blocks: number[];
  /** At the last snapshot: blocks allocated in the first interval (epoch 1), still live. */
  kept: number;
  /** The stack of the most bytes at the last snapshot, for display. */
  topBytes: number;
  /** Live bytes at each snapshot by the frame that called the site (the frame below it). */
  callers: Map<string, number[]>;
}

/** At most this many callers are listed per site, most growth first. */
const MAX_CALLERS = 8;

/**
 * A site's growth by the frame that called it, when more than one did: a library's own allocation wrapper
 * (tree-sitter's ts_malloc_default, SQLite's sqlite3Malloc) is the site of all its blocks, and its callers say which
 * of them grow. Callers whose bytes did not grow are left out; at most MAX_CALLERS, most first.
 */
function siteCallers(callers: Map<string, number[]>, last: number, span: number): CSite['callers'] {
  if (callers.size < 2) return [];
  return [...callers]
    .map(([caller, bytes]) => ({ caller, bytesPerIteration: (bytes[last]! - bytes[0]!) / span }))
    .filter((c) => c.bytesPerIteration > 0)
    .sort((a, b) => b.bytesPerIteration - a.bytesPerIteration)
    .slice(0, MAX_CALLERS);
}

/** The C part of an attribution from the backend's site files, one per snapshot point, in order. */
export function attributeCHeap(files: { file: string; iteration: number }[], symbolizer = findSymbolizer()): NonNullable<Attribution['c']> {
  if (!symbolizer) throw new Error(`no llvm-symbolizer on PATH (tried ${SYMBOLIZERS.join(', ')}); Debian: apt-get install llvm-14 (emscripten depends on it)`);
  const snaps = files.map((f) => JSON.parse(readFileSync(f.file, 'utf8')) as CHeapSites & { modules?: ModuleStamps });
  for (const snap of snaps) {
    for (const [path, was] of Object.entries(snap.modules ?? {})) {
      const now = existsSync(path) ? statSync(path) : null;
      if (!now || now.size !== was.size || now.mtimeMs !== was.mtimeMs) {
        throw new Error(`${path} changed since the attribution pass recorded its stacks (rebuilt?): its frames would name the wrong lines; run the pass again`);
      }
    }
  }
  const naming = new Map<string, ModuleNaming>();
  const symbols = symbolise(
    snaps.flatMap((s) => s.stacks.flat()),
    symbolizer.command,
    naming,
  );
  const sites = new Map<string, SiteAcc>();
  const last = snaps.length - 1;
  snaps.forEach((snap, k) => {
    for (const row of snap.sites) {
      const frames = callerFrames(snap.stacks[row.stack] ?? [], symbols);
      const key = frames.length ? frameText(frames[0]!) : '(allocated before tracking began)';
      let acc = sites.get(key);
      if (!acc) sites.set(key, (acc = { frames, bytes: files.map(() => 0), blocks: files.map(() => 0), kept: 0, topBytes: -1, callers: new Map() }));
      acc.bytes[k]! += row.bytes;
      const caller = frames[1] ? frameText(frames[1]) : '(no caller recorded)';
      const byCaller = acc.callers.get(caller) ?? files.map(() => 0);
      byCaller[k]! += row.bytes;
      acc.callers.set(caller, byCaller);
      acc.blocks[k]! += row.blocks;
      if (k === last) {
        if (row.epoch === 1) acc.kept += row.blocks;
        if (row.bytes > acc.topBytes) Object.assign(acc, { frames, topBytes: row.bytes });
      }
    }
  });
  const span = files[last]!.iteration - files[0]!.iteration;
  const out: CSite[] = [];
  for (const [site, acc] of sites) {
    const intervals = intervalRates(acc.bytes, files.map((f) => f.iteration));
    if (!grewInEveryInterval(intervals)) continue;
    const top = acc.frames[0];
    out.push({
      site,
      function: top?.function ?? null,
      file: top?.file ?? null,
      line: top?.line ?? null,
      nameSource: top?.source ?? null,
      stack: acc.frames.map(frameText),
      bytesPerIteration: (acc.bytes[last]! - acc.bytes[0]!) / span,
      blocksPerIteration: (acc.blocks[last]! - acc.blocks[0]!) / span,
      intervals,
      keptBlocks: acc.kept,
      callers: siteCallers(acc.callers, last, span),
    });
  }
  out.sort((a, b) => b.bytesPerIteration - a.bytesPerIteration);
  return { symbolizer: symbolizer.version, sites: out, bytesPerIteration: out.reduce((a, s) => a + s.bytesPerIteration, 0), modules: [...naming.values()] };
}
