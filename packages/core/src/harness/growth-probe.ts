// Child-process entry for calibration: measures what the allocator really grows per leaked block, in a process
// started exactly like a cell (same node flags and environment, e.g. glibc's tcache setting).
//   node growth-probe.js <backend> <model> <fixture>... -> prints {"<fixture>": bytes | null, ...}
import { loadBackend } from '../backends.js';
import { measureTrueGrowth } from './calibrate.js';

const [backendId, model, ...fixtures] = process.argv.slice(2);
const backend = await loadBackend(backendId!);
const out: Record<string, number | null> = {};
for (const f of fixtures) out[f] = measureTrueGrowth(backend, model!, f);
process.stdout.write(JSON.stringify(out) + '\n');
