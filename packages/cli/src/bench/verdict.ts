// Benchmark (not a test): the layer verdict's operating characteristics on the synthetic families of known truth
// (analysis verdict/families.ts), more trials than the tests run.
//   node packages/cli/dist/bench/verdict.js [--trials 300] [--family <substring>]
// Prints per family its truth, how many trials were judged leak / no-leak / inconclusive, the wrong-decision rate
// with its 95 % upper bound (none seen in n trials: at most 3.7/n by Garwood), and the right-decision rate; then the
// totals over the leak families and over the no-leak families.
import { parseArgs } from 'node:util';
import { characteristics, families, poissonInterval, type Characteristics } from '@leakbench/analysis';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '300' }, family: { type: 'string', default: '' } } });
const trials = Number(values.trials);
if (!(Number.isInteger(trials) && trials > 0)) {
  process.stderr.write(`--trials must be a whole number > 0 (got ${values.trials})\n`);
  process.exit(2);
}
const chosen = families().filter((f) => f.name.includes(values.family!));
if (!chosen.length) {
  process.stderr.write(`--family ${values.family} matches no family; families: ${families().map((f) => f.name).join('; ')}\n`);
  process.exit(2);
}
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const upper = (wrong: number, n: number) => pct(poissonInterval(wrong).high / n);
const rows: Characteristics[] = [];
const started = performance.now();
process.stdout.write(`${'truth'.padEnd(8)} ${'family'.padEnd(72)} ${'leak'.padStart(5)} ${'no-leak'.padStart(7)} ${'inconcl.'.padStart(8)}  wrong (95 % upper)   right\n`);
for (const f of chosen) {
  const c = characteristics(f, trials);
  rows.push(c);
  const wrong = Math.round(c.wrongRate * trials);
  process.stdout.write(
    `${c.truth.padEnd(8)} ${c.family.padEnd(72)} ${String(c.leak).padStart(5)} ${String(c.noLeak).padStart(7)} ${String(c.inconclusive).padStart(8)}  ${pct(c.wrongRate).padStart(6)} (≤ ${upper(wrong, trials).padStart(6)})  ${pct(c.power).padStart(7)}\n`,
  );
}
for (const truth of ['leak', 'no-leak'] as const) {
  const of = rows.filter((r) => r.truth === truth);
  const n = of.length * trials;
  const wrong = of.reduce((a, r) => a + Math.round(r.wrongRate * trials), 0);
  process.stdout.write(`${truth} families: ${of.length}, ${n} trials, wrong ${wrong} (${pct(wrong / n)}, 95 % upper ${upper(wrong, n)})\n`);
}
process.stdout.write(`${((performance.now() - started) / 1000).toFixed(1)} s\n`);
