// leakbench's C allocation sites against the leak checkers users trust, on the same C: the plain C driver of the
// workload (workload/test/driver.c, no JS host) under valgrind memcheck natively, and built with emscripten's
// LeakSanitizer in WASM. For the `double` and `double100` shapes each checker's definitely-lost / direct-leak stack
// must name the same functions and source lines as the attribution pass of a leakbench cell of the same shape.
// And a leak inside SUNDIALS itself: a copy of the pinned source whose dense linear solver never frees its pivot
// array, built into both backends beside the stock build (LEAKBENCH_SUNDIALS_SRC, LEAKBENCH_BUILD_DIR): every tool
// must name SUNDIALS's allocating function and line, above the workload's call.
// valgrind and emcc are installed by scripts/setup.sh: if one is missing this test fails, it does not skip.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { readRun, type RunData } from '@leakbench/core';
import { findSymbolizer, symbolise } from '@leakbench/attribution';
import { runToEnd } from './helpers/run-to-end.js';
import { ATTRIBUTED_RUN, sharedRun } from './helpers/shared-runs.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'leakbench-crosscheck-'));
const ITERATIONS = 5;
const SHAPES = [
  ['double', 8],
  ['double100', 800],
] as const;

/** A frame as both checkers and leakbench can state it: function and source line (file by its name). */
interface Site {
  function: string;
  file: string | null;
  line: number | null;
}
const key = (s: Site) => `${s.function} (${s.file?.replace(/^.*\//, '') ?? '?'}:${s.line ?? '?'})`;

/** The chain from the allocating frame down to lb_simulate: what every tool should agree on. */
function chain(sites: Site[]): string[] {
  const end = sites.findIndex((s) => s.function === 'lb_simulate');
  expect(end, `lb_simulate in ${sites.map(key).join(' ← ')}`).toBeGreaterThan(0);
  return sites.slice(0, end + 1).map(key);
}

/** leakbench's stack text 'fn (dir/file.c:12)' back to a Site. */
function parseLeakbenchFrame(text: string): Site {
  const m = /^(.*) \((?:.*\/)?([^/:]+):(\d+)\)$/.exec(text);
  return m ? { function: m[1]!, file: m[2]!, line: Number(m[3]) } : { function: text, file: null, line: null };
}

function leakbenchSite(run: RunData, backend: string, fixture: string) {
  const cell = run.cells.find((c) => c.record.spec.id === `${backend}-lr1991-${fixture}`)!;
  const sites = cell.attribution?.c?.sites ?? [];
  expect(sites.length, `${cell.record.spec.id}: ${JSON.stringify(sites.map((s) => s.site))}`).toBe(1);
  return sites[0]!;
}
const leakbenchChain = (run: RunData, backend: string, fixture: string): string[] => chain(leakbenchSite(run, backend, fixture).stack.map(parseLeakbenchFrame));

/** Runs a command to its end without blocking the event loop (two builds at once on two cores). */
const run = async (command: string, args: string[], env: NodeJS.ProcessEnv) => {
  const r = await runToEnd(command, args, { cwd: ROOT, env });
  return { status: r.status, output: r.stdout + r.stderr };
};

/** valgrind memcheck's definitely-lost stacks from its XML, past the allocator's own frames. */
function valgrindLeaks(xmlFile: string): { bytes: number; blocks: number; sites: Site[] }[] {
  const doc = new XMLParser({ isArray: (name) => name === 'error' || name === 'frame' }).parse(readFileSync(xmlFile, 'utf8'));
  const errors = (doc.valgrindoutput?.error ?? []) as {
    kind: string;
    xwhat: { leakedbytes: number; leakedblocks: number };
    stack: { frame: { fn?: string; file?: string; line?: number }[] };
  }[];
  return errors
    .filter((e) => e.kind === 'Leak_DefinitelyLost')
    .map((e) => ({
      bytes: Number(e.xwhat.leakedbytes),
      blocks: Number(e.xwhat.leakedblocks),
      sites: e.stack.frame.filter((f) => f.fn && f.fn !== 'malloc').map((f) => ({ function: f.fn!, file: f.file ?? null, line: f.line ? Number(f.line) : null })),
    }));
}

/** LeakSanitizer's direct leaks: its own function names, lines from the module's DWARF at the offsets it prints. */
function lsanLeaks(output: string): { bytes: number; blocks: number; sites: Site[] }[] {
  const symbolizer = findSymbolizer();
  expect(symbolizer, 'llvm-symbolizer (Debian: llvm-14, a dependency of emscripten)').not.toBeNull();
  const leaks = [];
  for (const block of output.split(/\n(?=Direct leak|Indirect leak|SUMMARY)/)) {
    const head = /^Direct leak of (\d+) byte\(s\) in (\d+) object\(s\)/.exec(block);
    if (!head) continue;
    const frames = [...block.matchAll(/#\d+ 0x[0-9a-f]+ in (\S+?)\+0x[0-9a-f]+ \((\S+\.wasm)\+(0x[0-9a-f]+)\)/g)].map((m) => ({ fn: m[1]!, frame: `${m[2]}@${m[3]}` }));
    const lines = symbolise(frames.map((f) => f.frame), symbolizer!.command);
    const sites = frames
      .filter((f) => f.fn !== 'malloc')
      .map((f) => {
        const own = lines.get(f.frame)!.at(-1)!; // the physical frame's own function (LSan's build is -O0: no inlining)
        return { function: f.fn, file: own.file, line: own.line };
      });
    leaks.push({ bytes: Number(head[1]), blocks: Number(head[2]), sites });
  }
  return leaks;
}

// The build with a leak first: the attributed run the other half reads is meanwhile made by attribution.test.ts
// (the two files start first, side by side: test/helpers/heaviest-first.ts).
describe('a leak inside SUNDIALS (its dense linear solver never frees the pivot array): every tool names SUNDIALS', () => {
  // Built in the repository's cache, not a temporary directory: the next `npm test` reuses what did not change
  // (build-sundials.sh keys a source tree by its contents, cmake builds incrementally), as the stock build is reused.
  const dir = join(ROOT, '.cache/test/leaky-sundials');
  const env = { LEAKBENCH_SUNDIALS_SRC: join(dir, 'src'), LEAKBENCH_CACHE: join(dir, 'cache'), LEAKBENCH_BUILD_DIR: join(dir, 'build') };
  // The pinned source, with one line changed: SUNLinSolFree_Dense keeps `free(PIVOTS(S))` out, nothing else moves.
  const FILE = 'src/sunlinsol/dense/sunlinsol_dense.c';
  let allocLine = 0;
  let leaky: RunData;
  beforeAll(async () => {
    const pinned = execFileSync('bash', [join(ROOT, 'scripts/fetch-sundials.sh')], { encoding: 'utf8' }).trim();
    rmSync(env.LEAKBENCH_SUNDIALS_SRC, { recursive: true, force: true }); // a fresh copy (its build is keyed by contents)
    cpSync(pinned, env.LEAKBENCH_SUNDIALS_SRC, { recursive: true, filter: (f) => !f.endsWith('.verified') });
    const file = join(env.LEAKBENCH_SUNDIALS_SRC, FILE);
    const text = readFileSync(file, 'utf8');
    expect(text, 'the pinned SUNDIALS frees its pivot array in SUNLinSolFree_Dense').toContain('      free(PIVOTS(S));');
    writeFileSync(file, text.replace('      free(PIVOTS(S));', '      /* leaked */;'));
    allocLine = text.split('\n').findIndex((l) => l.includes('content->pivots = (sunindextype *) malloc(')) + 1;
    expect(allocLine, 'the pivot array is allocated in SUNLinSol_Dense').toBeGreaterThan(0);
    const builds = await Promise.all([
      run('bash', ['packages/native-cvode/build.sh'], env).then(async (r) => (r.status === 0 ? run('bash', [join(ROOT, 'workload/test/build-driver.sh'), 'native', join(dir, 'driver')], env) : r)),
      run('bash', ['packages/wasm-cvode/build.sh'], env).then(async (r) => (r.status === 0 ? run('bash', [join(ROOT, 'workload/test/build-driver.sh'), 'wasm-lsan', join(dir, 'driver.cjs')], env) : r)),
    ]);
    for (const b of builds) expect(b.status, b.output).toBe(0);
    const r = await run(process.execPath, [CLI, 'run', '--backends', 'native,wasm', '--fixtures', 'none', '--iterations', '60', '--warmup', '10', '--out', join(tmp, 'leaky-run'), '--attribute', '--json'], env);
    expect(r.status, r.output).toBe(0);
    leaky = readRun(join(tmp, 'leaky-run'));
  }, 600_000);

  /** leakbench counts the allocator's block (header and rounding included) where the checkers count the request. */
  const expectAllocatorBlock = (leakbenchBytes: number, requested: number) => {
    expect(requested).toBeGreaterThan(0);
    expect(leakbenchBytes).toBeGreaterThanOrEqual(requested);
    expect(leakbenchBytes).toBeLessThan(requested + 32);
  };
  const expected = () => [`SUNLinSol_Dense (sunlinsol_dense.c:${allocLine})`];

  it.each(['native', 'wasm'])('%s: the `none` cell leaks, and its one growing site is SUNLinSol_Dense at the line that allocates, above lb_simulate', (backend) => {
    const cell = leaky.cells.find((c) => c.record.spec.id === `${backend}-lr1991-none`)!;
    expect(cell.verdict?.decision, JSON.stringify(cell.verdict?.layers)).toBe('leak');
    const chainOf = leakbenchChain(leaky, backend, 'none');
    expect(chainOf.slice(0, 1)).toEqual(expected());
    expect(chainOf.at(-1)).toMatch(/^lb_simulate \(simulate\.c:\d+\)$/);
    expect(leakbenchSite(leaky, backend, 'none').site).toMatch(/^SUNLinSol_Dense /);
    // The run says which SUNDIALS it measured: not the pinned one.
    expect(cell.record.build?.sundialsVersion).toMatch(/^6\.4\.1 \(source tree \/.*\/leaky-sundials\/src, contents [0-9a-f]{16}\)$/);
  });

  it('valgrind memcheck (native driver) names the same stack as leakbench', () => {
    const xml = join(tmp, 'leaky-valgrind.xml');
    const vg = spawnSync('valgrind', ['--leak-check=full', '--xml=yes', `--xml-file=${xml}`, join(dir, 'driver'), 'lr1991', String(ITERATIONS)], { encoding: 'utf8' });
    expect(vg.status, vg.stderr).toBe(0);
    const leaks = valgrindLeaks(xml);
    expect(leaks.length, 'one definitely-lost record').toBe(1);
    expect(leaks[0]!.blocks).toBe(ITERATIONS);
    expect(chain(leaks[0]!.sites)).toEqual(leakbenchChain(leaky, 'native', 'none'));
    expectAllocatorBlock(leakbenchSite(leaky, 'native', 'none').bytesPerIteration, leaks[0]!.bytes / ITERATIONS);
  });

  it('LeakSanitizer (WASM driver) names the same stack as leakbench, and the same bytes as valgrind', () => {
    const r = spawnSync(process.execPath, ['--no-experimental-fetch', join(dir, 'driver.cjs'), 'lr1991', String(ITERATIONS)], { encoding: 'utf8' });
    const leaks = lsanLeaks(r.stdout + r.stderr);
    expect(leaks.length, r.stdout + r.stderr).toBe(1);
    expect(leaks[0]!.blocks).toBe(ITERATIONS);
    expect(chain(leaks[0]!.sites)).toEqual(leakbenchChain(leaky, 'wasm', 'none'));
    expect(leakbenchChain(leaky, 'wasm', 'none')).toEqual(leakbenchChain(leaky, 'native', 'none'));
    expectAllocatorBlock(leakbenchSite(leaky, 'wasm', 'none').bytesPerIteration, leaks[0]!.bytes / ITERATIONS);
  });
});

describe('C allocation sites: leakbench agrees with valgrind (native) and LeakSanitizer (WASM)', () => {
  let run: RunData;
  beforeAll(async () => {
    for (const mode of ['native', 'wasm-lsan']) {
      const out = join(tmp, mode === 'native' ? 'driver' : 'driver.cjs');
      const b = spawnSync('bash', [join(ROOT, 'workload/test/build-driver.sh'), mode, out], { encoding: 'utf8' });
      expect(b.status, `build-driver.sh ${mode}: ${b.stderr}`).toBe(0);
    }
    run = await sharedRun(ATTRIBUTED_RUN); // test/attribution.test.ts reads it too: its double and double100 cells
  }, 300_000);

  it.each(SHAPES)('%s natively: valgrind memcheck names the same stack, function and line', (fixture, bytes) => {
    const xml = join(tmp, `valgrind-${fixture}.xml`);
    const vg = spawnSync('valgrind', ['--leak-check=full', '--xml=yes', `--xml-file=${xml}`, join(tmp, 'driver'), 'lr1991', String(ITERATIONS), String(bytes)], { encoding: 'utf8' });
    expect(vg.error, 'valgrind must be installed (scripts/setup.sh installs it)').toBeUndefined();
    expect(vg.status, vg.stderr).toBe(0);
    const leaks = valgrindLeaks(xml);
    expect(leaks.length, 'one definitely-lost record').toBe(1);
    expect(leaks[0]!.blocks).toBe(ITERATIONS);
    expect(leaks[0]!.bytes).toBe(ITERATIONS * bytes);
    expect(chain(leaks[0]!.sites)).toEqual(leakbenchChain(run, 'native', fixture));
  });

  it.each(SHAPES)('%s in WASM: LeakSanitizer names the same stack, function and line', (fixture, bytes) => {
    const r = spawnSync(process.execPath, ['--no-experimental-fetch', join(tmp, 'driver.cjs'), 'lr1991', String(ITERATIONS), String(bytes)], { encoding: 'utf8' });
    const leaks = lsanLeaks(r.stdout + r.stderr);
    expect(leaks.length, r.stdout + r.stderr).toBe(1);
    expect(leaks[0]!.blocks).toBe(ITERATIONS);
    expect(leaks[0]!.bytes).toBe(ITERATIONS * bytes);
    expect(chain(leaks[0]!.sites)).toEqual(leakbenchChain(run, 'wasm', fixture));
  });

  it('the checkers and leakbench agree across backends too', () => {
    for (const [fixture] of SHAPES) expect(leakbenchChain(run, 'wasm', fixture)).toEqual(leakbenchChain(run, 'native', fixture));
    expect(execFileSync('valgrind', ['--version'], { encoding: 'utf8' })).toMatch(/^valgrind-/);
  });
});
