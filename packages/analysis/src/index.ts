// @leakbench/analysis: robust trend statistics, verdicts (a pipeline of pure steps driven by the layer table),
// the CI gate's decision and calibration summaries. Reads and writes run data only through @leakbench/core.
export * from './stats/index.js';
export * from './verdict/index.js';
export * from './check.js';
export * from './calibration.js';
