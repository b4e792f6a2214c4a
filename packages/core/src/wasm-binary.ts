// What leakbench reads from a WebAssembly binary itself: where each function's body lies and what the name section
// calls it. The WASM probe maps the frames of a module it rewrote back to the module as it was given, and C
// attribution names a frame by the name section when the module has no DWARF (llvm-symbolizer reads only DWARF in
// wasm). Only the sections this needs are decoded: imports (to count imported functions), code, the "name"
// custom section's function names and the custom sections' names.

/** A function body: its byte range in the file (the locals' declarations and the code). */
export interface WasmBody {
  start: number;
  end: number;
}

export interface WasmLayout {
  /** Imported functions come first in the function index space. */
  importedFunctions: number;
  /** Defined functions' bodies, in order: function index = importedFunctions + position. */
  bodies: WasmBody[];
  /** Where the Code section's contents start (DWARF addresses in wasm count from there). */
  codeOffset: number;
  /** Function index → name, from the name section; null when the module has none. */
  names: Map<number, string> | null;
  /** The custom sections' names, in order ('.debug_info' when it carries DWARF). */
  customSections: string[];
}

/** Decodes the layout of a wasm module; throws on what is not one. */
export function readWasmLayout(bytes: Uint8Array): WasmLayout {
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
  const utf8 = new TextDecoder();
  const name = () => {
    const n = leb();
    const s = utf8.decode(bytes.subarray(p, p + n));
    p += n;
    return s;
  };
  const layout: WasmLayout = { importedFunctions: 0, bodies: [], codeOffset: -1, names: null, customSections: [] };
  while (p < bytes.length) {
    const id = bytes[p++]!;
    const size = leb();
    const end = p + size;
    if (id === 2) {
      // imports: module, name, kind, then a description whose length depends on the kind
      for (let n = leb(); n > 0; n--) {
        name();
        name();
        const kind = bytes[p++]!;
        if (kind === 0) {
          leb();
          layout.importedFunctions++;
        } else if (kind === 1) {
          p++; // reftype
          const flags = leb();
          leb();
          if (flags & 1) leb();
        } else if (kind === 2) {
          const flags = leb();
          leb();
          if (flags & 1) leb();
        } else if (kind === 3) p += 2; // valtype, mutability
        else if (kind === 4) {
          p++;
          leb(); // tag: attribute, type index
        } else throw new Error(`unknown import kind ${kind}`);
      }
    } else if (id === 10) {
      layout.codeOffset = p;
      for (let n = leb(); n > 0; n--) {
        const bodySize = leb();
        layout.bodies.push({ start: p, end: p + bodySize });
        p += bodySize;
      }
    } else if (id === 0) {
      const section = name();
      layout.customSections.push(section);
      if (section === 'name') {
        while (p < end) {
          const sub = bytes[p++]!;
          const subSize = leb();
          const subEnd = p + subSize;
          if (sub === 1) {
            const names = new Map<number, string>();
            for (let n = leb(); n > 0; n--) {
              const index = leb();
              names.set(index, name());
            }
            layout.names = names;
          }
          p = subEnd;
        }
      }
    }
    p = end;
  }
  if (layout.codeOffset < 0) throw new Error('wasm module without a Code section');
  return layout;
}

/** The index of the function whose body holds `offset` (a position in the file), or -1. */
export function wasmFunctionAt(layout: WasmLayout, offset: number): number {
  let lo = 0;
  let hi = layout.bodies.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = layout.bodies[mid]!;
    if (offset < b.start) hi = mid - 1;
    else if (offset >= b.end) lo = mid + 1;
    else return layout.importedFunctions + mid;
  }
  return -1;
}
