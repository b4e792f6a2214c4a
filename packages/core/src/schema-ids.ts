// The on-disk formats' ids and version: plain constants, apart from their zod schemas (schema.ts), so that what a
// cell's process writes (storage/write.ts) does not load zod into the heap it measures (see cell.ts).
export const SCHEMA_VERSION = 1;
export const RUN_SCHEMA = `leakbench/run@${SCHEMA_VERSION}`;
export const SAMPLE_SCHEMA = `leakbench/sample@${SCHEMA_VERSION}`;
export const VERDICT_SCHEMA = `leakbench/verdict@${SCHEMA_VERSION}`;
export const CALIBRATION_SCHEMA = `leakbench/calibration@${SCHEMA_VERSION}`;
export const ATTRIBUTION_SCHEMA = `leakbench/attribution@${SCHEMA_VERSION}`;
export const BENCH_SCHEMA = `leakbench/bench@${SCHEMA_VERSION}`;
