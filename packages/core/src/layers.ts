// The one table of memory layers. Verdicts (which layers are judged, which are page-stepped, where a leak in each
// is, which layers' growth shows up in which), report rows (labels, units) and the sample/verdict schemas (which
// fields exist, which may be null) all read it, so a new layer is one new row here.
//
// Every layer can decide a cell. Order matters: it is the order in which a verdict attributes growth — the most
// exact layers first; a later layer only adds the part of its growth that the layers it may contain (`contains`)
// have not already explained, so that no byte is counted twice.

/** Where a cell's leak is, as the verdict reports it: the place that holds most of the bytes it attributes. */
export const WHERES = ['js-heap', 'c-allocator', 'wasm-memory', 'external', 'rss-only'] as const;
export type Where = (typeof WHERES)[number];

export interface LayerSpec<F extends string = string> {
  /** The Sample field that holds this layer's value. */
  readonly field: F;
  /** What the layer is, for titles and prose. */
  readonly label: string;
  readonly unit: 'bytes';
  /**
   * Moves in pages or growth steps (RSS, VMS, max RSS, WASM memory, V8 heap total), not in single allocations:
   * a verdict needs more evidence (several steps, growth sustained over the series) and a page-sized floor before
   * calling a leak, and a young process's page faults are no leak.
   */
  readonly paged: boolean;
  /**
   * The unit a paged layer is counted in (bytes; 0 for a layer counted in bytes): its values are the true bytes
   * rounded to this, so a rate measured over T iterations is known to no better than ± grain / T, however straight
   * its samples lie. WebAssembly pages are 64 KiB by the spec, V8 commits its heap in 256 KiB pages, and the OS
   * counts 4 KiB pages (x86-64 and most arm64 Linux; a host with larger pages is counted more coarsely than this says).
   */
  readonly grain: number;
  /** The `where` of growth first attributed to this layer. */
  readonly locates: Where;
  /**
   * Layers whose growth may show in this one too (on some backend): the module heap in the C allocator, the WASM
   * module's allocator in its linear memory, Node's ArrayBuffer stores in glibc, everything in RSS. Only growth
   * beyond theirs is attributed to this layer.
   */
  readonly contains: readonly string[];
  /** Whether a backend or platform may leave the field null (not measurable there). */
  readonly nullable: boolean;
  /**
   * The layer this one is the high-water mark of (max RSS of RSS), or null: it keeps every peak and never falls, so
   * a young process's pages that are given back again read as growth in it — its growth is only a leak when the
   * layer it marks leaks too.
   */
  readonly highWaterOf: string | null;
}

interface LayerOptions {
  /** The unit a paged layer is counted in (see LayerSpec.grain). */
  grain?: number;
  contains?: string[];
  nullable?: boolean;
  highWaterOf?: string;
}

const layer = <F extends string>(field: F, label: string, locates: Where, o: LayerOptions = {}): LayerSpec<F> => ({
  field,
  label,
  unit: 'bytes',
  paged: (o.grain ?? 0) > 0,
  grain: o.grain ?? 0,
  locates,
  contains: o.contains ?? [],
  nullable: o.nullable ?? false,
  highWaterOf: o.highWaterOf ?? null,
});

/** The units the paged layers are counted in (see LayerSpec.grain). */
const WASM_PAGE = 65_536;
const V8_PAGE = 262_144;
const OS_PAGE = 4096;

const INSIDE_RSS = ['moduleHeapBytes', 'heapUsedBytes', 'arrayBuffersBytes', 'globalHandlesBytes', 'allocatorBytes', 'wasmMemoryBytes', 'externalBytes'];

export const LAYER_TABLE = [
  // The module's exact own heap (blocks the workload's allocator wrapper handed out and did not get back).
  layer('moduleHeapBytes', "module's own C heap (exact)", 'c-allocator', { nullable: true }),
  layer('heapUsedBytes', 'JS heap used', 'js-heap'),
  // Buffer/ArrayBuffer backing stores (natively malloc'ed by Node, so also in glibc's count).
  // Null where a host does not give it (an older Chromium's DevTools protocol).
  layer('arrayBuffersBytes', 'arrayBuffers', 'external', { nullable: true }),
  // V8 global handles (napi references, weak callbacks): malloc'ed by V8 natively.
  layer('globalHandlesBytes', 'V8 global handles', 'js-heap', { nullable: true }),
  // glibc's process-wide count natively (the module heap, Node's ArrayBuffer stores, global handles and all
  // other host allocations); the WASM module's own dlmalloc in WASM.
  layer('allocatorBytes', 'C allocator in use (process-wide natively)', 'c-allocator', { nullable: true, contains: ['moduleHeapBytes', 'arrayBuffersBytes', 'globalHandlesBytes'] }),
  layer('wasmMemoryBytes', 'WASM linear memory', 'wasm-memory', { grain: WASM_PAGE, nullable: true, contains: ['moduleHeapBytes', 'allocatorBytes'] }),
  // Null in a browser cell: a page's DevTools protocol has no such total.
  layer('externalBytes', 'external (C++ objects bound to JS, incl. WASM memory)', 'external', { nullable: true, contains: ['arrayBuffersBytes', 'wasmMemoryBytes', 'allocatorBytes', 'moduleHeapBytes'] }),
  layer('heapTotalBytes', 'JS heap total', 'js-heap', { grain: V8_PAGE, contains: ['heapUsedBytes'] }),
  layer('rssBytes', 'RSS (resident set)', 'rss-only', { grain: OS_PAGE, nullable: true, contains: [...INSIDE_RSS, 'heapTotalBytes'] }),
  layer('vmsBytes', 'VMS (virtual size)', 'rss-only', { grain: OS_PAGE, nullable: true, contains: [...INSIDE_RSS, 'heapTotalBytes', 'rssBytes'] }),
  layer('maxRssBytes', 'max RSS', 'rss-only', { grain: OS_PAGE, contains: [...INSIDE_RSS, 'heapTotalBytes', 'rssBytes'], highWaterOf: 'rssBytes' }),
] as const;

export type Layer = (typeof LAYER_TABLE)[number]['field'];

/** Layer fields in table order. */
export const LAYERS = LAYER_TABLE.map((l) => l.field) as Layer[];

const BY_FIELD = new Map<string, LayerSpec<Layer>>(LAYER_TABLE.map((l) => [l.field, l]));

/** The table row of a layer field; throws for a field that is not a layer. */
export function layerSpec(field: string): LayerSpec<Layer> {
  const spec = BY_FIELD.get(field);
  if (!spec) throw new Error(`'${field}' is not a memory layer; layers: ${LAYERS.join(', ')}`);
  return spec;
}

export const isLayer = (field: string): field is Layer => BY_FIELD.has(field);

/** Layers that move in single allocations (not paged): a cell is decided only when each of these is. */
export const EXACT_LAYERS = LAYER_TABLE.filter((l) => !l.paged).map((l) => l.field) as Layer[];
