// Where C heap growth is: the module's live blocks by allocation stack at three points of one process (the
// backend's allocationSites(), see Backend in @leakbench/core), symbolised to function and file:line with
// llvm-symbolizer (inlined frames included), grouped by the allocating call site, compared like the JS snapshots:
// a site grows when its live bytes grew in every interval. Blocks allocated in the first interval and still live at
// the end are counted apart (kept), as valgrind's "definitely/still reachable" cannot: these leaks stay reachable.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Attribution, CHeapSites, CSite } from '@leakbench/core';
import { grewInEveryInterval, intervalRates } from './growth.js';

/** One symbolised frame (an inlined call is a frame of its own). */
export interface Frame {
  function: string;
  file: string | null;
  line: number | null;
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
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error('not a wasm module');
  let p = 8;
  const leb = () => {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[p++]!;
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  while (p < bytes.length) {
    const id = bytes[p++]!;
    const size = leb();
    if (id === 10) return p;
    p += size;
  }
  throw new Error('wasm module without a Code section');
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

/**
 * Symbolises frames module by module, in one symboliser call each: ELF return addresses one byte before (inside
 * the call), wasm positions as they are, relative to the Code section. Frames it cannot read stay as their text.
 */
export function symbolise(frames: string[], command: string): Map<string, Frame[]> {
  const out = new Map<string, Frame[]>();
  const byModule = new Map<string, { frame: string; address: bigint }[]>();
  const codeOffsets = new Map<string, number>();
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
      if (!codeOffsets.has(module)) codeOffsets.set(module, wasmCodeOffset(readFileSync(module)));
      address -= BigInt(codeOffsets.get(module)!);
    }
    const list = byModule.get(module) ?? [];
    list.push({ frame: f, address });
    byModule.set(module, list);
  }
  for (const [module, list] of byModule) {
    const text = execFileSync(command, ['--obj', module, '--inlines', '--demangle', '--output-style=JSON', ...list.map((x) => `0x${x.address.toString(16)}`)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const entries = JSON.parse(text) as SymbolizerEntry[];
    list.forEach((x, k) => {
      const symbols = (entries[k]?.Symbol ?? []).filter((s) => s.FunctionName && s.FunctionName !== '??');
      out.set(
        x.frame,
        symbols.length
          ? symbols.map((s) => ({ function: sourceFunction(s.FunctionName!), file: s.FileName || null, line: s.Line || null }))
          : [{ function: x.frame, file: null, line: null }],
      );
    });
  }
  return out;
}

/** A frame as one line: function (file:line), the file by its last two path parts. */
export function frameText(f: Frame): string {
  if (!f.file) return f.function;
  const file = f.file.split('/').slice(-2).join('/');
  return `${f.function} (${file}${f.line ? `:${f.line}` : ''})`;
}

/** The allocator's own entry points: a block is allocated *at* the first frame past them. */
const ALLOCATOR_ENTRY = /^(__wrap_\w+|malloc|calloc|realloc|reallocf|free|memalign|posix_memalign|aligned_alloc|valloc|pvalloc|strdup|strndup|operator new(\[\])?\(.*\))$/;

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
  const symbols = symbolise(
    snaps.flatMap((s) => s.stacks.flat()),
    symbolizer.command,
  );
  const sites = new Map<string, SiteAcc>();
  const last = snaps.length - 1;
  snaps.forEach((snap, k) => {
    for (const row of snap.sites) {
      const frames = callerFrames(snap.stacks[row.stack] ?? [], symbols);
      const key = frames.length ? frameText(frames[0]!) : '(allocated before tracking began)';
      let acc = sites.get(key);
      if (!acc) sites.set(key, (acc = { frames, bytes: files.map(() => 0), blocks: files.map(() => 0), kept: 0, topBytes: -1 }));
      acc.bytes[k]! += row.bytes;
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
      stack: acc.frames.map(frameText),
      bytesPerIteration: (acc.bytes[last]! - acc.bytes[0]!) / span,
      blocksPerIteration: (acc.blocks[last]! - acc.blocks[0]!) / span,
      intervals,
      keptBlocks: acc.kept,
    });
  }
  out.sort((a, b) => b.bytesPerIteration - a.bytesPerIteration);
  return { symbolizer: symbolizer.version, sites: out, bytesPerIteration: out.reduce((a, s) => a + s.bytesPerIteration, 0) };
}
