// The WebAssembly probe's per-sample read of every live block's header, in WebAssembly, for a page: in Node the
// harness does it in C (native-probe's sumHeaders), because the stable profile's JS is interpreted — one sample of a
// module holding millions of blocks took seconds there, and does in a page too (web-tree-sitter's misuse: a 500-
// iteration cell took 405 s with the sum in JS). A tiny module, written here byte by byte, imports the measured
// module's memory as its memory 0 and keeps a copy of the probe's block table in its own memory 1 (multi-memory,
// in Chromium since 120); `sum(n, mask)` adds, over the n slots, the u32 before each non-zero pointer, masked.
// A memory it cannot import (a shared one) falls back to the probe's JS loop.

/** The module's bytes (wasm binary format, multi-memory). */
const SUM_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // type section: (i32 n, i32 mask) -> f64
  0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7c,
  // import section: "m" "heap" memory, min 0 pages
  0x02, 0x0b, 0x01, 0x01, 0x6d, 0x04, 0x68, 0x65, 0x61, 0x70, 0x02, 0x00, 0x00,
  // function section: one function of type 0
  0x03, 0x02, 0x01, 0x00,
  // memory section: one memory (index 1), min 1 page
  0x05, 0x03, 0x01, 0x00, 0x01,
  // export section: "keys" memory 1, "sum" function 0
  0x07, 0x0e, 0x02, 0x04, 0x6b, 0x65, 0x79, 0x73, 0x02, 0x01, 0x03, 0x73, 0x75, 0x6d, 0x00, 0x00,
  // code section
  0x0a, 0x40, 0x01, 0x3e,
  // locals: i, p (i32); acc (i64)
  0x02, 0x02, 0x7f, 0x01, 0x7e,
  0x02, 0x40, // block
  0x03, 0x40, // loop
  0x20, 0x02, 0x20, 0x00, 0x4f, 0x0d, 0x01, // i >= n: break out
  0x20, 0x02, 0x41, 0x02, 0x74, // i << 2
  0x28, 0x42, 0x01, 0x00, // i32.load memory 1 (align 4, offset 0)
  0x22, 0x03, // p = …
  0x04, 0x40, // if p
  0x20, 0x04, // acc
  0x20, 0x03, 0x41, 0x04, 0x6b, // p - 4
  0x28, 0x02, 0x00, // i32.load memory 0 (align 4, offset 0)
  0x20, 0x01, 0x71, // & mask
  0xad, 0x7c, 0x21, 0x04, // acc += u64(…)
  0x0b, // end if
  0x20, 0x02, 0x41, 0x01, 0x6a, 0x21, 0x02, // i++
  0x0c, 0x00, // continue
  0x0b, 0x0b, // end loop, end block
  0x20, 0x04, 0xba, // f64(acc)
  0x0b,
]);

interface Summer {
  keys: WebAssembly.Memory;
  sum: (n: number, mask: number) => number;
}

/**
 * A header sum for the probe (wasm-probe ProbeEnv.sumHeadersIn), and the bytes of its own copies of the tables
 * (to leave out of the page layers, as the tables themselves are). `W`: the original constructors, taken before the
 * probe wraps the API (the wrapped ones would measure the summing module too).
 */
export function wasmHeaderSum(W: { Module: typeof WebAssembly.Module; Instance: typeof WebAssembly.Instance }): { sum: (keys: Uint32Array, memory: WebAssembly.Memory, mask: number) => number | null; ownBytes: () => number } {
  const summers = new WeakMap<WebAssembly.Memory, Summer | null>();
  let module: WebAssembly.Module | null = null;
  let own = 0;
  const summer = (memory: WebAssembly.Memory): Summer | null => {
    let s = summers.get(memory);
    if (s !== undefined) return s;
    try {
      module ??= new W.Module(SUM_MODULE);
      const exports = new W.Instance(module, { m: { heap: memory } }).exports as { keys: WebAssembly.Memory; sum: Summer['sum'] };
      s = { keys: exports.keys, sum: exports.sum };
      own += exports.keys.buffer.byteLength;
    } catch {
      s = null; // a memory it cannot import: the JS loop sums it
    }
    summers.set(memory, s);
    return s;
  };
  return {
    sum(keys, memory, mask) {
      const s = summer(memory);
      if (!s) return null;
      const need = keys.byteLength - s.keys.buffer.byteLength;
      if (need > 0) {
        const pages = Math.ceil(need / 65536);
        s.keys.grow(pages);
        own += pages * 65536;
      }
      new Uint32Array(s.keys.buffer, 0, keys.length).set(keys);
      return s.sum(keys.length, mask);
    },
    ownBytes: () => own,
  };
}
