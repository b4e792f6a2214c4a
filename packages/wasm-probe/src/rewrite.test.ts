import { describe, expect, it } from 'vitest';
import binaryen from 'binaryen';
import { readWasmLayout, wasmFunctionAt } from '@leakbench/core';
import { HOOK_MODULE, instrumentAllocator } from './rewrite.js';

/**
 * A toy module with a bump allocator: malloc(n) writes n at p-4 and returns p; calloc(n, size) calls malloc (an
 * allocator entry calling another: only the outermost may report); free(p) forgets nothing. Exported under
 * `names` (malloc, calloc, free).
 */
function toyModule(names: { malloc: string; calloc: string; free: string }): Uint8Array {
  const m = new binaryen.Module();
  const { i32, none } = binaryen;
  m.setMemory(1, 1, 'mem');
  m.addGlobal('top', i32, true, m.i32.const(64));
  m.addFunction('malloc', i32, i32, [i32], m.block(null, [
    m.local.set(1, m.i32.add(m.global.get('top', i32), m.i32.const(8))),
    m.i32.store(0, 4, m.i32.sub(m.local.get(1, i32), m.i32.const(4)), m.local.get(0, i32)),
    m.global.set('top', m.i32.add(m.local.get(1, i32), m.i32.and(m.i32.add(m.local.get(0, i32), m.i32.const(7)), m.i32.const(~7)))),
    m.local.get(1, i32),
  ], i32));
  m.addFunction('calloc', binaryen.createType([i32, i32]), i32, [], m.call('malloc', [m.i32.mul(m.local.get(0, i32), m.local.get(1, i32))], i32));
  m.addFunction('free', i32, none, [], m.nop());
  // The program's own code (given function index 3): allocates through malloc.
  m.addFunction('user', none, i32, [], m.call('malloc', [m.i32.const(16)], i32));
  m.addFunctionExport('user', 'user');
  m.addFunctionExport('malloc', names.malloc);
  m.addFunctionExport('calloc', names.calloc);
  m.addFunctionExport('free', names.free);
  m.setFeatures(binaryen.Features.MVP);
  if (!m.validate()) throw new Error('toy module does not validate');
  const bytes = m.emitBinary();
  m.dispose();
  return bytes;
}

async function run(bytes: Uint8Array, names: { malloc: string; calloc: string; free: string }) {
  const calls: string[] = [];
  const hooks = { alloc: (p: number, n: number) => void calls.push(`alloc ${p} ${n}`), free: (p: number) => void calls.push(`free ${p}`) };
  const { instance } = await WebAssembly.instantiate(bytes, { [HOOK_MODULE]: hooks });
  const e = instance.exports as Record<string, (...a: number[]) => number>;
  const a = e[names.calloc]!(3, 8);
  const b = e[names.malloc]!(5);
  e[names.free]!(a);
  return { calls, a, b };
}

describe('instrumentAllocator', () => {
  it('gives the allocator hooks found by its export names; an entry calling another reports once', async () => {
    const names = { malloc: 'malloc', calloc: 'calloc', free: 'free' };
    const r = instrumentAllocator(toyModule(names));
    expect(r.bytes).not.toBeNull();
    if (!r.bytes) return;
    expect(r.namesFrom).toBe('exports');
    expect(new Set(r.wrapped)).toEqual(new Set(['malloc (export malloc)', 'calloc (export calloc)', 'free (export free)']));
    const { calls, a, b } = await run(r.bytes, names);
    expect(calls).toEqual([`alloc ${a} 24`, `alloc ${b} 5`, `free ${a}`]);
  });

  it("maps each function of the rewritten module to the given one's index (-1 for what it added): a frame of the program's code is found again", async () => {
    const names = { malloc: 'malloc', calloc: 'calloc', free: 'free' };
    const given = toyModule(names);
    const r = instrumentAllocator(given);
    if (!r.bytes) throw new Error(r.reason);
    const layout = readWasmLayout(r.bytes);
    expect(r.functions.length).toBe(layout.importedFunctions + layout.bodies.length);
    // Every given function is there once; the hooks, the new entry bodies and the moved originals are -1.
    expect(r.functions.filter((i) => i >= 0).sort()).toEqual([3]);
    expect(r.functions.filter((i) => i < 0).length).toBe(2 + 3 + 3);
    // The frame below the alloc hook's caller (malloc's new body) is the program's `user`, given index 3.
    let caller = -2;
    const hooks = {
      alloc: () => {
        const prev = Error.prepareStackTrace;
        Error.prepareStackTrace = (_e, callsites) => callsites;
        const holder: { stack?: NodeJS.CallSite[] } = {};
        Error.captureStackTrace(holder);
        const stack = holder.stack!; // formatted when first read: before prepareStackTrace is put back
        Error.prepareStackTrace = prev;
        const wasm = stack.filter((c) => c.getScriptNameOrSourceURL()?.startsWith('wasm://'));
        caller = r.functions[wasmFunctionAt(layout, (c => (c as unknown as { getPosition(): number }).getPosition())(wasm[1]!))]!;
      },
      free: () => {},
    };
    const { instance } = await WebAssembly.instantiate(r.bytes, { [HOOK_MODULE]: hooks });
    (instance.exports.user as () => number)();
    expect(caller).toBe(3);
  });

  it('with frame globals, hands the alloc hook the innermost calls (given function indices, -1 past the outermost), and puts them back on return', async () => {
    const m = binaryen.readBinary(toyModule({ malloc: 'malloc', calloc: 'calloc', free: 'free' }));
    const { i32 } = binaryen;
    const malloc = binaryen.getFunctionInfo(m.getFunctionByIndex(0)).name; // the binary has no name section
    // Given indices 4 and 5: inner() allocates, outer() calls inner() and returns what it got, plus one.
    m.addFunction('inner', binaryen.none, i32, [], m.call(malloc, [m.i32.const(16)], i32));
    m.addFunction('outer', binaryen.none, i32, [], m.i32.add(m.call('inner', [], i32), m.i32.const(1)));
    m.addFunctionExport('outer', 'outer');
    const given = m.emitBinary();
    m.dispose();
    const r = instrumentAllocator(given, {}, { frames: 8 });
    if (!r.bytes) throw new Error(r.reason);
    const seen: number[][] = [];
    let entered = 0;
    const hooks = { alloc: (_p: number, _n: number, ...frames: number[]) => void seen.push(frames), free: () => {}, enter: () => void entered++ };
    const { instance } = await WebAssembly.instantiate(r.bytes, { [HOOK_MODULE]: hooks });
    const e = instance.exports as Record<string, (...a: number[]) => number>;
    const p = e.outer!();
    e.user!();
    e.malloc!(8);
    const none = [-1, -1, -1, -1, -1, -1];
    expect(seen).toEqual([[4, 5, ...none], [3, -1, ...none], [-1, -1, ...none]]);
    // Each call from JS into the program's code says so once (outer, then user; not inner, called from outer, nor
    // the allocator's own entry).
    expect(entered).toBe(2);
    // The reset export clears frames a JS exception left behind.
    expect(typeof e['leakbench$reset']).toBe('function');
    // The wrapped functions still compute what they did: outer's result is inner's block plus one.
    expect(p % 8).toBe(1);
    // Without frames the hook gets (pointer, size) only, as before.
    const plain = instrumentAllocator(given);
    if (!plain.bytes) throw new Error(plain.reason);
    const args: number[] = [];
    const { instance: i2 } = await WebAssembly.instantiate(plain.bytes, { [HOOK_MODULE]: { alloc: (...a: number[]) => void args.push(a.length), free: () => {} } });
    (i2.exports.outer as () => number)();
    expect(args).toEqual([2]);
  });

  it('finds a minified module\'s allocator through hints from its JS glue, and says why when nothing names it', async () => {
    const names = { malloc: 'Da', calloc: 'Db', free: 'Ea' };
    const bytes = toyModule(names);
    const none = instrumentAllocator(bytes);
    expect(none.bytes).toBeNull();
    if (!none.bytes) expect(none.reason).toMatch(/no allocator functions named/);
    const r = instrumentAllocator(bytes, { Da: 'malloc', Ea: 'free' });
    expect(r.bytes && r.namesFrom).toBe('JS glue');
    expect(r.bytes && new Set(r.wrapped)).toEqual(new Set(['malloc (export Da)', 'free (export Ea)']));
    if (!r.bytes) return;
    const { calls, a, b } = await run(r.bytes, names);
    // calloc has no hint: its inner malloc is the outermost entry with hooks, and reports the block.
    expect(calls).toEqual([`alloc ${a} 24`, `alloc ${b} 5`, `free ${a}`]);
  });
});
