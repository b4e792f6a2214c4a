// Benchmark (not a test): what attribution costs, against a plain run and against valgrind memcheck.
//   node packages/cli/dist/bench/attribution-cost.js [--iterations 500] [--valgrind-iterations 20] [--foreign-iterations 300] [--only matrix|foreign|valgrind]
// Prints: wall time of the default matrix (both backends, lr1991, the five default fixtures) run plain and run
// with --attribute, and their ratio (goal ≤ 5×); the same for modules leakbench did not build, whose C sites the
// harness's probes record (leakbench's own addon and WASM module as plug-ins, tree-sitter's addon and
// web-tree-sitter, sql.js, yoga: each misuse and correct use); then, for one native `double` cell of --valgrind-iterations
// iterations, the wall time of leakbench's attribution pass beside valgrind memcheck (--leak-check=full) running the
// same iterations of the same addon in node (every leak kind: the addon's exact heap count keeps a pointer to each
// live block, so memcheck sees the fixture's blocks as still reachable).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Attribution } from '@leakbench/core';

const { values } = parseArgs({
  options: { iterations: { type: 'string', default: '500' }, 'valgrind-iterations': { type: 'string', default: '20' }, 'foreign-iterations': { type: 'string', default: '300' }, only: { type: 'string' } },
});
const ROOT = resolve(import.meta.dirname, '../../../..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'leakbench-attr-bench-'));

function timed(cmd: string, args: string[]): number {
  const t = Date.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return (Date.now() - t) / 1000;
}

const parts = ['matrix', 'foreign', 'valgrind'];
if (values.only && !parts.includes(values.only)) {
  process.stderr.write(`bench:attribution: --only ${values.only}: accepted: ${parts.join(', ')}\n`);
  process.exit(2);
}
const part = (name: string) => !values.only || values.only === name;

if (part('matrix')) {
  const plain = timed(process.execPath, [CLI, 'run', '--iterations', values.iterations, '--out', join(tmp, 'plain'), '--json']);
  const attributed = timed(process.execPath, [CLI, 'run', '--iterations', values.iterations, '--out', join(tmp, 'attributed'), '--attribute', '--json']);
  console.log(`default matrix, ${values.iterations} iterations per cell (10 cells, 2 jobs):`);
  console.log(`  plain run        ${plain.toFixed(1)} s`);
  console.log(`  --attribute      ${attributed.toFixed(1)} s  = ${(attributed / plain).toFixed(2)}× the plain run (goal ≤ 5×)`);
}

// Modules leakbench did not build: one cell per line, plain and with its attribution pass.
const foreign: [string, string[]][] = [
  ['examples/foreign/leakbench-native.mjs', ['--models', 'lr1991', '--fixtures', 'none,double']],
  ['examples/case-studies/tree-sitter-native.mjs', ['--models', 'keep-trees,drop-trees']],
  ['examples/foreign/leakbench-wasm.mjs', ['--models', 'lr1991', '--fixtures', 'none,double']],
  ['examples/case-studies/tree-sitter-wasm.mjs', ['--models', 'no-delete,delete']],
  ['examples/case-studies/sql-js.mjs', ['--models', 'no-free,free']],
  ['examples/case-studies/yoga.mjs', ['--models', 'no-free,free']],
];
if (part('foreign')) console.log(`modules leakbench did not build, ${values['foreign-iterations']} iterations per cell (sites from the malloc interposer natively, the rewritten allocator in WASM):`);
for (const [module, args] of part('foreign') ? foreign : []) {
  const common = ['run', '--backend-module', module, ...args, '--iterations', values['foreign-iterations'], '--json'];
  const tag = module.replace(/^.*\//, '').replace(/\.mjs$/, '');
  const p = timed(process.execPath, [CLI, ...common, '--no-attribute', '--out', join(tmp, `${tag}-plain`)]);
  const a = timed(process.execPath, [CLI, ...common, '--attribute', '--out', join(tmp, `${tag}-attributed`)]);
  console.log(`  ${module} (${args.filter((x) => !x.startsWith('--')).join(' ')})  plain ${p.toFixed(1)} s, --attribute ${a.toFixed(1)} s = ${(a / p).toFixed(2)}× (goal ≤ 5×)`);
}

if (!part('valgrind')) {
  console.log(`(runs kept in ${tmp})`);
  process.exit(0);
}
const n = Number(values['valgrind-iterations']);
const cellRun = join(tmp, 'one');
timed(process.execPath, [CLI, 'run', '--backends', 'native', '--fixtures', 'double', '--iterations', String(n), '--warmup', '2', '--out', cellRun, '--json']);
const passS = timed(process.execPath, [CLI, 'attribute', cellRun, '--cells', 'native-lr1991-double', '--json']);
const pass = Attribution.parse(JSON.parse(readFileSync(join(cellRun, 'cells/native-lr1991-double/attribution.json'), 'utf8')));
// The same iterations of the same addon in node, under memcheck.
const script = join(tmp, 'iterations.mjs');
writeFileSync(
  script,
  `const { load } = await import(${JSON.stringify(join(ROOT, 'packages/native-cvode/dist/index.js'))});
const { parseFixture } = await import(${JSON.stringify(join(ROOT, 'packages/core/dist/index.js'))});
const b = await load();
for (let i = 0; i < ${n}; i++) b.simulate({ model: 'lr1991', durationMs: 1000, logIntervalMs: 1, fixture: parseFixture('double') });
`,
);
const xml = join(tmp, 'valgrind.xml');
const valgrindS = timed('valgrind', ['--leak-check=full', '--show-leak-kinds=all', '--xml=yes', `--xml-file=${xml}`, process.execPath, script]);
// Which loss records name the fixture's allocating function, and among how many records in all.
const records = readFileSync(xml, 'utf8').split('<error>').slice(1);
const kinds = records.filter((r) => r.includes('<fn>alloc_from_path</fn>')).map((r) => /<kind>(\w+)<\/kind>/.exec(r)?.[1]);
const named = kinds.length ? `as ${kinds.join(', ')}, among ${records.length} loss records` : `no (${records.length} loss records)`;
console.log(`one native double cell, ${n} iterations:`);
console.log(`  leakbench attribute (its pass: fresh process, tracking, 3 heap snapshots, symbolising)  ${passS.toFixed(1)} s; site: ${pass.c?.sites[0]?.site ?? 'none'}`);
console.log(`  valgrind --leak-check=full --show-leak-kinds=all node (same addon, same iterations)  ${valgrindS.toFixed(1)} s; names alloc_from_path: ${named}`);
console.log(`(runs kept in ${tmp})`);
