import { describe, expect, it } from 'vitest';
import { BlockSet } from './block-set.js';

describe('BlockSet', () => {
  it('holds what a Map would, through growth and backward-shift deletion', () => {
    const set = new BlockSet();
    const ref = new Map<number, number>();
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 50000) * 8 + 8; // allocator-like pointers
    for (let k = 0; k < 40000; k++) {
      const p = rand();
      if (ref.has(p) && k % 3) {
        expect(set.delete(p)).toBe(ref.get(p));
        ref.delete(p);
      } else {
        set.add(p, k % 997);
        ref.set(p, k % 997);
      }
    }
    expect(set.size).toBe(ref.size);
    const seen = new Map<number, number>();
    set.forEach((p, n) => seen.set(p, n));
    expect(seen).toEqual(ref);
    expect(set.requestedBytes).toBe([...ref.values()].reduce((a, n) => a + n, 0));
    expect(set.delete(3)).toBe(-1); // never added
  });

  it('sums the header word before each live block, masked, as the allocator records it now', () => {
    const heap = new Uint32Array(1024);
    const set = new BlockSet();
    for (let p = 16; p < 4000; p += 64) {
      heap[(p - 4) >>> 2] = 40 | 3; // a 40-byte chunk with two flag bits
      set.add(p, 30);
    }
    expect(set.sumHeaders(heap, ~7)).toBe(40 * set.size);
    heap[(16 - 4) >>> 2] = 48 | 3; // grown in place, no entry point called
    set.delete(80);
    expect(set.sumHeaders(heap, ~7)).toBe(40 * set.size + 8);
    // A faster implementation (the harness's, in C) is given the keys, the heap's buffer and the mask.
    const seen: unknown[] = [];
    expect(set.sumHeaders(heap, ~7, (keys, buffer, mask) => (seen.push(keys.length > set.size, buffer === heap.buffer, mask), 7))).toBe(7);
    expect(seen).toEqual([true, true, -8]);
  });

  it('counts its own array buffers (left out of the layers that would see them)', () => {
    const set = new BlockSet();
    const first = set.ownBytes();
    for (let p = 8; p <= 8 * 5000; p += 8) set.add(p, 16);
    expect(set.ownBytes()).toBeGreaterThan(first);
    expect(set.ownBytes() % 8).toBe(0);
  });
});
