// Where C heap growth is: the module's live blocks by allocation stack at three points of one process (the
// backend's allocationSites(), see Backend in @leakbench/core), symbolised to function and file:line with
// llvm-symbolizer (inlined frames included), grouped by the allocating call site, compared like the JS snapshots:
// a site grows when its live bytes grew in every interval. Blocks allocated in the first interval and still live at
// the end are counted apart (kept), as valgrind's "definitely/still reachable" cannot: these leaks stay reachable.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Attribution, CHeapSites, CSite } from '@leakbench/core';

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

const FRAME = /^(.+)\+0x([0-9a-f]+)$/i;

interface SymbolizerEntry {
  Address?: string;
  ModuleName?: string;
  Symbol?: { FunctionName?: string; FileName?: string; Line?: number }[];
}

/**
 * Symbolises 'module+0xoffset' frames (return addresses: looked up one byte before, inside the call), module by
 * module in one symboliser call each. Frames it cannot read stay as their text.
 */
export function symbolise(frames: string[], command: string): Map<string, Frame[]> {
  const out = new Map<string, Frame[]>();
  const byModule = new Map<string, { frame: string; offset: bigint }[]>();
  for (const f of new Set(frames)) {
    const m = FRAME.exec(f);
    if (!m) {
      out.set(f, [{ function: f, file: null, line: null }]);
      continue;
    }
    const list = byModule.get(m[1]!) ?? [];
    list.push({ frame: f, offset: BigInt(`0x${m[2]}`) });
    byModule.set(m[1]!, list);
  }
  for (const [module, list] of byModule) {
    const addresses = list.map((x) => `0x${(x.offset > 0n ? x.offset - 1n : 0n).toString(16)}`);
    const text = execFileSync(command, ['--obj', module, '--inlines', '--demangle', '--output-style=JSON', ...addresses], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const entries = JSON.parse(text) as SymbolizerEntry[];
    list.forEach((x, k) => {
      const symbols = (entries[k]?.Symbol ?? []).filter((s) => s.FunctionName && s.FunctionName !== '??');
      out.set(
        x.frame,
        symbols.length
          ? symbols.map((s) => ({ function: s.FunctionName!, file: s.FileName || null, line: s.Line || null }))
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

/**
 * A stack's frames after the allocator wrapper: every physical frame whose own function (the outermost of its
 * inlined chain) is a link-time wrapper (__wrap_*) is dropped from the top.
 */
export function callerFrames(stack: string[], symbols: Map<string, Frame[]>): Frame[] {
  const physical = stack.map((f) => symbols.get(f) ?? [{ function: f, file: null, line: null }]);
  let k = 0;
  while (k < physical.length && physical[k]!.at(-1)!.function.startsWith('__wrap_')) k++;
  return physical.slice(k).flat();
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
  const snaps = files.map((f) => JSON.parse(readFileSync(f.file, 'utf8')) as CHeapSites & { modules?: Record<string, { size: number; mtimeMs: number }> });
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
    const intervals = acc.bytes.slice(1).map((b, k) => (b - acc.bytes[k]!) / (files[k + 1]!.iteration - files[k]!.iteration));
    if (!intervals.every((x) => x > 0)) continue;
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
