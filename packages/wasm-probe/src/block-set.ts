// The live blocks of one instance's allocator, kept outside the JS heap: a JS Map would grow the very layer
// (heapUsed) a WASM module's C leak must not show up in. Open addressing with linear probing over typed arrays
// (pointer 0 marks an empty slot: an allocator never hands out 0), backward-shift deletion so probe chains stay
// intact without tombstones — the same table as workload/tracking/block_table.c. Its backing stores are array
// buffers; ownBytes() says how much, so the harness can leave them out of the layers that count them. In an
// attribution pass each block also carries its allocation stack's id and its epoch (track()), as the native
// trackers' table does.

const FIRST_CAPACITY = 1024;

/** The same sum computed elsewhere (the harness's native probe, in C): keys, the heap, the mask. */
export type HeaderSum = (keys: Uint32Array, heap: ArrayBuffer, mask: number) => number;

/** The header sum in JS: over a table's slots, the u32 before each non-zero pointer in `heap`, masked. */
export function jsHeaderSum(keys: Uint32Array, heap: Uint32Array, mask: number): number {
  let sum = 0;
  for (let i = 0; i < keys.length; i++) {
    const p = keys[i]!;
    if (p !== 0) sum += (heap[(p - 4) >>> 2]! & mask) >>> 0;
  }
  return sum;
}

const slotOf = (p: number, mask: number) => (Math.imul(p ^ (p >>> 16), 0x45d9f3b) >>> 0) & mask;

export class BlockSet {
  private keys = new Uint32Array(FIRST_CAPACITY);
  private sizes = new Uint32Array(FIRST_CAPACITY);
  /** Per slot, once track() was called: the allocation stack's id and the epoch (2 words). */
  private meta: Uint32Array | null = null;
  private used = 0;
  /** Sum of the live blocks' requested bytes, kept as they come and go (a request never changes). */
  requestedBytes = 0;

  get size(): number {
    return this.used;
  }

  /** Bytes of the table's own array buffers. */
  ownBytes(): number {
    return this.keys.byteLength + this.sizes.byteLength + (this.meta?.byteLength ?? 0);
  }

  /** From now on each block added keeps a stack id and an epoch (blocks already here: 0, 0). */
  track(): void {
    this.meta ??= new Uint32Array(this.keys.length * 2);
  }

  add(p: number, bytes: number, stack = 0, epoch = 0): void {
    if (p === 0) return;
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    let i = slotOf(p, mask);
    while (this.keys[i] !== 0 && this.keys[i] !== p) i = (i + 1) & mask;
    if (this.keys[i] === 0) this.used++;
    else this.requestedBytes -= this.sizes[i]!;
    this.keys[i] = p;
    this.sizes[i] = bytes;
    this.requestedBytes += bytes;
    if (this.meta) {
      this.meta[2 * i] = stack;
      this.meta[2 * i + 1] = epoch;
    }
  }

  /** Forgets p; its recorded size, or -1 when it was not there. */
  delete(p: number): number {
    if (p === 0) return -1;
    const mask = this.keys.length - 1;
    let i = slotOf(p, mask);
    while (this.keys[i] !== 0 && this.keys[i] !== p) i = (i + 1) & mask;
    if (this.keys[i] === 0) return -1;
    const bytes = this.sizes[i]!;
    this.keys[i] = 0;
    this.used--;
    this.requestedBytes -= bytes;
    for (let j = (i + 1) & mask; this.keys[j] !== 0; j = (j + 1) & mask) {
      const home = slotOf(this.keys[j]!, mask);
      // Move slot j into the hole at i unless its home lies cyclically in (i, j].
      const between = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!between) {
        this.keys[i] = this.keys[j]!;
        this.sizes[i] = this.sizes[j]!;
        if (this.meta) {
          this.meta[2 * i] = this.meta[2 * j]!;
          this.meta[2 * i + 1] = this.meta[2 * j + 1]!;
        }
        this.keys[j] = 0;
        i = j;
      }
    }
    return bytes;
  }

  /**
   * Sum over the live blocks of the u32 before each, masked: the chunk sizes their allocator records now, read from
   * its headers in `heap` (a tight loop: a sample reads millions of blocks when a module leaks thousands per call).
   */
  sumHeaders(heap: Uint32Array, mask: number, fast?: HeaderSum): number {
    return fast ? fast(this.keys, heap.buffer as ArrayBuffer, mask) : jsHeaderSum(this.keys, heap, mask);
  }

  /** Calls fn for every live block (stack and epoch 0 when not tracked). */
  forEach(fn: (p: number, bytes: number, stack: number, epoch: number) => void): void {
    const meta = this.meta;
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== 0) fn(this.keys[i]!, this.sizes[i]!, meta ? meta[2 * i]! : 0, meta ? meta[2 * i + 1]! : 0);
  }

  private grow(): void {
    const keys = this.keys;
    const sizes = this.sizes;
    const meta = this.meta;
    this.keys = new Uint32Array(keys.length * 2);
    this.sizes = new Uint32Array(keys.length * 2);
    if (meta) this.meta = new Uint32Array(keys.length * 4);
    this.used = 0;
    this.requestedBytes = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) this.add(keys[i]!, sizes[i]!, meta ? meta[2 * i]! : 0, meta ? meta[2 * i + 1]! : 0);
  }
}
