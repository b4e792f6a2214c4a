// @leakbench/harness: cells in fresh processes (plan → pool → cell process → samples on disk → verdict), the
// sampler that reads every memory layer, host profiles, and the calibration runner. How backends are found is
// the caller's: it passes a BackendLoader and the path of a worker script that calls runWorker.
export { planRun, createRun, writeNewManifest, cellId, shardOf, RUN_DEFAULTS, type RunRequest } from './plan.js';
export { executeRun, resumeRun, type RunEvent, type RunOutcome, type ExecuteOptions } from './run.js';
export { runWorker, type BackendLoader } from './worker.js';
export { runCell, SETTLE_TURNS, type CellHooks } from './cell.js';
export { attributeCell, reattributeCell, type AttributeOptions } from './attribute.js';
export { snapshotPoints, snapshotFile } from './attribute-files.js';
export { calibrate, recalibrate, calibrationWarmup, CALIBRATE_DEFAULTS, type CalibrateRequest } from './calibrate.js';
export { measureTrueGrowth } from './growth.js';
export { planBench, runBench, BENCH_DEFAULTS, type BenchRequest } from './bench.js';
export { runSimulation, type SimulateRequest } from './simulate.js';
export { collectEnvironment, leakbenchVersion } from './environment.js';
export { takeSample, GcCounter, type SampleContext } from './sampler.js';
export { hostSettings, numericsEnv, STABLE_NODE_FLAGS, STABLE_ENV, type HostProfile, type Numerics } from './host.js';
export { mergeRuns, type MergeOptions } from './merge.js';
