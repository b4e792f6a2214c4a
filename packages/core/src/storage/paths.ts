// Where each file of a run directory lives (docs/FORMAT.md).
import { join } from 'node:path';

export const MANIFEST_FILE = 'run.json';
export const CALIBRATION_FILE = 'calibration.json';
/** Further calibrations published beside a run (e.g. `calibration-stock.json`). */
export const CALIBRATION_EXTRA = /^calibration-[a-z0-9-]+\.json$/;

export const runPaths = (dir: string) => ({
  manifest: join(dir, MANIFEST_FILE),
  calibration: join(dir, CALIBRATION_FILE),
  /** `leakbench bench` stored with the run (`run --bench`, or `bench --out <run>/bench.json`). */
  bench: join(dir, 'bench.json'),
  cellDir: (id: string) => join(dir, 'cells', id),
  samples: (id: string) => join(dir, 'cells', id, 'samples.ndjson'),
  verdict: (id: string) => join(dir, 'cells', id, 'verdict.json'),
  stderr: (id: string) => join(dir, 'cells', id, 'stderr.log'),
  gcLog: (id: string) => join(dir, 'cells', id, 'gc.log'),
  /** The attribution pass's own files (its series, snapshots, logs), apart from the measured cell's. */
  attributionDir: (id: string) => join(dir, 'cells', id, 'attribution'),
  attribution: (id: string) => join(dir, 'cells', id, 'attribution.json'),
});
