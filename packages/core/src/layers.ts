// The one table of memory layers. Verdicts (which layers are judged, which are page-stepped, which locate a
// leak), report rows (labels, units) and the sample/verdict schemas (which fields exist, which may be null) all
// read it, so a new layer is one new row here.
//
// Order matters: verdicts list layers in this order, and among locating layers the first that leaks names
// where the leak is (most specific first: the JS heap, then the C allocator, then WASM memory).

/**
 * Where a cell's leak is, as the verdict reports it. `external` (ArrayBuffer/Buffer stores) is a place a fixture
 * can leak to; no layer locates it yet, so today's verdicts never say it (the zoo's `buffer` shows the gap).
 */
export type Where = 'js-heap' | 'c-allocator' | 'wasm-memory' | 'external' | 'rss-only';

export interface LayerSpec<F extends string = string> {
  /** The Sample field that holds this layer's value. */
  readonly field: F;
  /** What the layer is, for titles and prose. */
  readonly label: string;
  readonly unit: 'bytes';
  /**
   * Moves in pages or growth steps (RSS, VMS, max RSS, WASM memory, V8 heap total), not in single allocations:
   * a verdict needs more evidence (several steps, a longer series) and a page-sized floor before calling a leak.
   */
  readonly paged: boolean;
  /** The `where` a leak in this layer locates; null for layers that only corroborate (RSS is the fallback). */
  readonly locates: Exclude<Where, 'rss-only' | 'external'> | null;
  /** Whether a backend or platform may leave the field null (not measurable there). */
  readonly nullable: boolean;
}

const layer = <F extends string>(field: F, label: string, o: { paged?: boolean; locates?: LayerSpec['locates']; nullable?: boolean } = {}): LayerSpec<F> => ({
  field,
  label,
  unit: 'bytes',
  paged: o.paged ?? false,
  locates: o.locates ?? null,
  nullable: o.nullable ?? false,
});

export const LAYER_TABLE = [
  layer('heapUsedBytes', 'JS heap used', { locates: 'js-heap' }),
  layer('allocatorBytes', 'C allocator in use (process-wide natively)', { locates: 'c-allocator', nullable: true }),
  // The module's exact own heap is a view of the same C allocator: a leak there is a C-allocator leak.
  layer('moduleHeapBytes', "module's own C heap (exact)", { locates: 'c-allocator', nullable: true }),
  layer('wasmMemoryBytes', 'WASM linear memory', { paged: true, locates: 'wasm-memory', nullable: true }),
  layer('rssBytes', 'RSS (resident set)', { paged: true, nullable: true }),
  layer('vmsBytes', 'VMS (virtual size)', { paged: true, nullable: true }),
  layer('maxRssBytes', 'max RSS', { paged: true }),
  layer('externalBytes', 'external (C++ objects bound to JS, incl. WASM memory)'),
  layer('arrayBuffersBytes', 'arrayBuffers'),
  layer('heapTotalBytes', 'JS heap total', { paged: true }),
  layer('globalHandlesBytes', 'V8 global handles', { nullable: true }),
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

/** Locating layers in table order (most specific first). */
export const LOCATING_LAYERS = LAYER_TABLE.filter((l) => l.locates !== null).map((l) => l.field) as Layer[];
