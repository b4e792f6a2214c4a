// The script every harness child process runs (cells and growth probes): the harness's worker with this CLI's
// backend registry. Commands hand its path (WORKER in worker-path.ts) to the harness.
import { runWorker } from '@leakbench/harness/worker';
import { loadAnyBackend } from './registry.js';

runWorker(loadAnyBackend);
