// Benchmark (not a test): the default matrix run sequentially (`leakbench run --until-decided`) against fixed
// 500-iteration cells, on the same machine in one benchmark run.
//   node packages/cli/dist/bench/until-decided.js [--rounds 2] [--host stable]
// Each round runs both, in alternating order (a machine that warms up or slows down favours neither), each as a user
// would: the CLI in a fresh process, wall time from its start to its exit. Prints every round's wall times, their
// medians and ratio, and per cell both verdicts: decision, bytes/iteration, where the sequential cell was decided
// and how far it ran — and how many cells got the same decision.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBytes, readManifest, readVerdict, type CellVerdict } from '@leakbench/core';
import { median } from '@leakbench/analysis';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, host: { type: 'string', default: 'stable' } } });
const rounds = Number(values.rounds);
if (!(Number.isInteger(rounds) && rounds > 0)) {
  process.stderr.write(`--rounds must be a whole number > 0 (got ${values.rounds})\n`);
  process.exit(2);
}
const CLI = resolve(import.meta.dirname, '../cli.js');
const scratch = mkdtempSync(join(tmpdir(), 'leakbench-until-decided-'));

type Mode = 'fixed' | 'sequential';
const ARGS: Record<Mode, string[]> = { fixed: ['--iterations', '500'], sequential: ['--until-decided'] };

function runOnce(mode: Mode, round: number): { seconds: number; verdicts: Map<string, CellVerdict> } {
  const out = join(scratch, `${mode}-${round}`);
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, 'run', ...ARGS[mode], '--host', values.host!, '--out', out, '--json'], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) {
    process.stderr.write(`${mode} run failed (exit ${r.status}):\n${r.stderr}\n`);
    process.exit(1);
  }
  const verdicts = new Map(readManifest(out).cells.map((c) => [c.spec.id, readVerdict(out, c.spec.id)!] as const));
  return { seconds, verdicts };
}

const times: Record<Mode, number[]> = { fixed: [], sequential: [] };
let last: Record<Mode, Map<string, CellVerdict>> | null = null;
let agree = 0;
let cells = 0;
for (let k = 0; k < rounds; k++) {
  const order: Mode[] = k % 2 === 0 ? ['fixed', 'sequential'] : ['sequential', 'fixed'];
  const got = {} as Record<Mode, Map<string, CellVerdict>>;
  for (const mode of order) {
    const r = runOnce(mode, k);
    times[mode].push(r.seconds);
    got[mode] = r.verdicts;
  }
  for (const [id, v] of got.fixed) {
    cells++;
    if (got.sequential.get(id)?.decision === v.decision) agree++;
  }
  console.log(`round ${k + 1}: fixed 500 iterations ${times.fixed[k]!.toFixed(1)} s, --until-decided ${times.sequential[k]!.toFixed(1)} s (${order.join(' first, then ')})`);
  last = got;
}

const rate = (v: CellVerdict | undefined) => (v?.bytesPerIteration != null ? `${formatBytes(v.bytesPerIteration)}/iter` : '—');
console.log(`\nthe default matrix, host profile ${values.host}, ${rounds} round(s), each mode's wall time from the CLI's start to its exit:`);
console.log(`  fixed (500 iterations per cell): median ${median(times.fixed).toFixed(1)} s`);
console.log(`  --until-decided:                 median ${median(times.sequential).toFixed(1)} s (${(median(times.fixed) / median(times.sequential)).toFixed(1)}× faster)`);
console.log(`  same decision in ${agree} of ${cells} cells over all rounds\n`);
console.log(`last round, per cell:`);
console.log(`  ${'cell'.padEnd(24)} ${'fixed 500'.padEnd(28)} until decided`);
for (const [id, f] of last!.fixed) {
  const s = last!.sequential.get(id);
  const seq = s?.sequential;
  const where = seq ? (seq.decidedAt !== null ? `decided at ${seq.decidedAt}, ran to ${seq.ranTo}` : `undecided at ${seq.judgedTo}`) : '—';
  console.log(`  ${id.padEnd(24)} ${`${f.decision} ${rate(f)}`.padEnd(28)} ${s?.decision ?? '—'} ${rate(s)} (${where})`);
}
console.log(`\nruns kept in ${scratch}`);
