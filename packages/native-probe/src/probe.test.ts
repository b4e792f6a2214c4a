import { describe, expect, it } from 'vitest';
import { loadNativeProbe } from './index.js';

describe('the probe addon', () => {
  it('sums the masked u32 before each live block of a WebAssembly heap, as the JS loop would', () => {
    const probe = loadNativeProbe();
    const heap = new Uint32Array(4096);
    const keys = new Uint32Array(1024); // a hash table: 0 is an empty slot
    let expected = 0;
    for (let k = 0; k < 300; k++) {
      const p = 16 + k * 48;
      const head = ((k % 7) + 2) * 8 + (k % 4); // a chunk size with flag bits
      heap[(p - 4) >>> 2] = head;
      keys[(k * 37) % keys.length] = p;
      expected += head & ~7;
    }
    keys[5] = heap.byteLength + 64; // outside the heap: counts nothing
    expect(probe.sumHeaders(keys, heap.buffer, ~7)).toBe(expected);
    expect(probe.sumHeaders(new Uint32Array(0), heap.buffer, ~7)).toBe(0);
  });

  it('refuses arguments of the wrong kind, naming the signature', () => {
    const probe = loadNativeProbe();
    expect(() => probe.sumHeaders(new Int32Array(4) as unknown as Uint32Array, new ArrayBuffer(8), ~7)).toThrow(/sumHeaders\(keys: Uint32Array, heap: ArrayBuffer, mask: number\)/);
  });
});
