import { fileURLToPath } from 'node:url';

/** The worker script cell processes and growth probes run (worker.ts, compiled). */
export const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));
