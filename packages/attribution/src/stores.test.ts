// Growing linear memories: named with their module when they grew in every interval, not when they stepped once.
import { describe, expect, it } from 'vitest';
import { growingStores } from './stores.js';

const mem = (bytes: number, hash = 'aaaaaaaaaaaa', instantiatedBy: string | null = '/x/lib.js') => ({ instantiatedBy, hash, bytes });

describe('growingStores', () => {
  it('names a memory that grew in every interval, with its module, rate and last size; not one that stepped once or held still', () => {
    const stores = growingStores([
      { iteration: 20, memories: [mem(16 << 20), mem(1 << 20, 'bbbbbbbbbbbb', null), mem(2 << 20, 'cccccccccccc')] },
      { iteration: 260, memories: [mem(32 << 20), mem(1 << 20, 'bbbbbbbbbbbb', null), mem(2 << 20, 'cccccccccccc')] },
      { iteration: 500, memories: [mem(48 << 20), mem(1 << 20, 'bbbbbbbbbbbb', null), mem(4 << 20, 'cccccccccccc')] },
    ]);
    expect(stores).toEqual([{ kind: 'WebAssembly.Memory', module: '/x/lib.js', hash: 'aaaaaaaaaaaa', bytesPerIteration: (32 << 20) / 480, intervals: [(16 << 20) / 240, (16 << 20) / 240], bytes: 48 << 20 }]);
  });

  it('counts a memory that appears after the first point from zero', () => {
    const [s] = growingStores([
      { iteration: 10, memories: [] },
      { iteration: 20, memories: [mem(1 << 16)] },
      { iteration: 30, memories: [mem(2 << 16)] },
    ]);
    expect(s!.bytesPerIteration).toBe((2 << 16) / 20);
  });
});
