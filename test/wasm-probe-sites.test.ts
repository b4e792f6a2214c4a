// The WASM probe's two ways of taking an allocation's stack in an attribution pass, on one toy module given with
// and without DWARF: the rewrite's frame globals (function by function, no V8 stack trace per allocation) for a
// module without DWARF, and a V8 stack trace (positions inside functions, which DWARF names as lines) for one with
// it. Both must find the same functions, innermost first, then the JS that called into the module. The probe runs
// as in a cell: built (dist), in a process of its own, its rewrite in a child process.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import binaryen from 'binaryen';
import { readWasmLayout, wasmFunctionAt } from '@leakbench/core';

const ROOT = resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'leakbench-wasm-probe-sites-'));

/**
 * A bump allocator exported as malloc/free, and the program: inner() allocates 16 bytes, outer() calls inner()
 * (given function indices 3 and 4, after the import boom and malloc, free), thrower() calls the imported boom(),
 * which throws. With `dwarf`, a `.debug_info` custom section (its contents are not read here).
 */
function toyModule(dwarf: boolean): Uint8Array {
  const m = new binaryen.Module();
  const { i32, none } = binaryen;
  m.setMemory(1, 1, 'memory');
  m.addFunctionImport('boom', 'env', 'boom', none, none);
  m.addGlobal('top', i32, true, m.i32.const(64));
  m.addFunction('malloc', i32, i32, [i32], m.block(null, [
    m.local.set(1, m.i32.add(m.global.get('top', i32), m.i32.const(8))),
    m.i32.store(0, 4, m.i32.sub(m.local.get(1, i32), m.i32.const(4)), m.i32.or(m.i32.add(m.local.get(0, i32), m.i32.const(8)), m.i32.const(2))),
    m.global.set('top', m.i32.add(m.local.get(1, i32), m.i32.and(m.i32.add(m.local.get(0, i32), m.i32.const(7)), m.i32.const(~7)))),
    m.local.get(1, i32),
  ], i32));
  m.addFunction('free', i32, none, [], m.nop());
  m.addFunction('inner', none, i32, [], m.call('malloc', [m.i32.const(16)], i32));
  m.addFunction('outer', none, i32, [], m.i32.add(m.call('inner', [], i32), m.i32.const(0)));
  m.addFunction('thrower', none, none, [], m.call('boom', [], none));
  m.addFunctionExport('outer', 'outer');
  m.addFunctionExport('thrower', 'thrower');
  m.addFunctionExport('malloc', 'malloc');
  m.addFunctionExport('free', 'free');
  if (dwarf) m.addCustomSection('.debug_info', new Uint8Array([0, 0, 0, 0]));
  m.setFeatures(binaryen.Features.MVP);
  if (!m.validate()) throw new Error('toy module does not validate');
  const bytes = m.emitBinary();
  m.dispose();
  return bytes;
}

/**
 * Runs the toy module under the probe in a pass — an exception thrown out through thrower(), then outer() twice
 * from one JS function, once from another, malloc once from JS — and returns the probe's sites.
 */
function pass(name: string, bytes: Uint8Array) {
  const file = join(tmp, `${name}.wasm`);
  writeFileSync(file, bytes);
  const script = `
    import { readFileSync } from 'node:fs';
    import { installWasmProbe } from '@leakbench/wasm-probe';
    const probe = installWasmProbe({ sites: true });
    const boom = () => { throw new Error('boom'); };
    const { instance } = await WebAssembly.instantiate(readFileSync(${JSON.stringify(file)}), { env: { boom } });
    if (!probe.trackSites()) throw new Error(JSON.stringify(probe.modules()));
    // A JS exception thrown out through the module's calls leaves its frame globals behind, until the harness
    // clears them between iterations.
    try { instance.exports.thrower(); } catch {}
    probe.atRest();
    function callsOuter() { instance.exports.outer(); }
    for (let i = 0; i < 2; i++) callsOuter();
    function otherCaller() { instance.exports.outer(); }
    otherCaller();
    instance.exports.malloc(24);
    process.stdout.write(JSON.stringify(probe.sites()));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(ROOT, 'test'), encoding: 'utf8', env: { ...process.env, LEAKBENCH_WASM_PROBE_CACHE: join(tmp, `cache-${name}`) } });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { stacks: string[][]; sites: { stack: number; blocks: number; bytes: number }[] };
}

/** A wasm frame '<given module>@0x<offset>' as [function index, whether the offset is where its body starts]. */
function wasmFrame(frame: string): [number, boolean] {
  const m = /^(.*\.wasm)@0x([0-9a-f]+)$/.exec(frame)!;
  const layout = readWasmLayout(readFileSync(m[1]!));
  const offset = parseInt(m[2]!, 16);
  const index = wasmFunctionAt(layout, offset);
  return [index, layout.bodies[index - layout.importedFunctions]!.start === offset];
}

describe('WASM probe: allocation stacks in a pass', () => {
  it.each([
    ['without DWARF: from the frame globals, functions by where their bodies start', false],
    ['with DWARF: from a V8 stack trace, positions inside the functions', true],
  ])('%s', (_label, dwarf) => {
    const { stacks, sites } = pass(dwarf ? 'dwarf' : 'plain', toyModule(dwarf));
    const blocks = (s: string[]) => sites.filter((r) => stacks[r.stack] === s).reduce((a, r) => a + r.blocks, 0);
    const via = (caller: string) => stacks.find((s) => s.some((f) => f.startsWith(`${caller} (`)) && s.some((f) => f.includes('.wasm@')))!;
    // outer() → inner() → malloc: inner first, then outer, then the JS function that called outer — the same
    // stack for both calls from callsOuter, another for the call from otherCaller.
    for (const [caller, n] of [['callsOuter', 2], ['otherCaller', 1]] as const) {
      const stack = via(caller);
      expect(stack, JSON.stringify(stacks)).toBeDefined();
      expect(stack.slice(0, 2).map((f) => wasmFrame(f))).toEqual([
        [3, !dwarf],
        [4, !dwarf],
      ]);
      expect(stack[2]).toMatch(new RegExp(`^${caller} \\(`));
      expect(blocks(stack)).toBe(n);
    }
    // malloc called from JS: no frame of the program's code, the JS caller first.
    const fromJs = stacks.filter((s) => s.length && !s.some((f) => f.includes('.wasm@')));
    expect(fromJs.length).toBe(1);
    expect(fromJs[0]![0]).toMatch(/\(.*:\d+:\d+\)$/);
    expect(blocks(fromJs[0]!)).toBe(1);
  });
});
