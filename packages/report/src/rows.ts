// Which rows a cell page and a comparison page draw. Memory rows take their titles from core's layer table, so
// a layer added there gets its row here by name; the rest (GC counts, iteration time) are the report's own.
import { layerSpec, type Layer, type Sample } from '@leakbench/core';

export type Field = Exclude<keyof Sample, 'i' | 'phase'>;

export interface RowSpec {
  title: string;
  fields: Field[];
  unit: 'bytes' | 'count' | 'ms';
  /** The layer whose verdict (caption, warm-up, trend line) is drawn on this row. */
  verdictLayer?: Layer;
  /** Whether "change since the first sample" means something for this row (levels do; times and counts not). */
  change: boolean;
}

const layerRow = (field: Layer): RowSpec => ({ title: layerSpec(field).label, fields: [field], unit: 'bytes', verdictLayer: field, change: true });

/** One row per memory measure, as in the study's figures. */
export const CELL_ROWS: RowSpec[] = [
  layerRow('vmsBytes'),
  layerRow('rssBytes'),
  layerRow('maxRssBytes'),
  { title: 'JS heap used / total', fields: ['heapUsedBytes', 'heapTotalBytes'], unit: 'bytes', verdictLayer: 'heapUsedBytes', change: true },
  layerRow('externalBytes'),
  layerRow('arrayBuffersBytes'),
  layerRow('globalHandlesBytes'),
  { title: 'GC runs by kind (cumulative)', fields: ['gcMinor', 'gcMajor', 'gcIncremental'], unit: 'count', change: false },
  layerRow('allocatorBytes'),
  layerRow('moduleHeapBytes'),
  layerRow('wasmMemoryBytes'),
  { title: 'iteration time', fields: ['iterNs'], unit: 'ms', change: false },
];

/** The rows a comparison draws, one plot per row with every backend on shared axes. */
export const COMPARE_ROWS: RowSpec[] = [
  layerRow('rssBytes'),
  layerRow('heapUsedBytes'),
  layerRow('externalBytes'),
  layerRow('allocatorBytes'),
  layerRow('moduleHeapBytes'),
  layerRow('maxRssBytes'),
  { title: 'iteration time', fields: ['iterNs'], unit: 'ms', change: false },
];

/** Legend names of fields that share a row. */
export const FIELD_NAMES: Partial<Record<Field, string>> = {
  heapUsedBytes: 'used',
  heapTotalBytes: 'total',
  gcMinor: 'minor',
  gcMajor: 'major',
  gcIncremental: 'incremental',
};
