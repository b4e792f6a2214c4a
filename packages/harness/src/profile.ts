// Where each backend's time goes, function by function, on the same work (`leakbench bench --profile`). One
// sampler sees both kinds of code: Linux perf (`-e cpu-clock`, a software clock that works where hardware
// counters are not offered) samples the process, and V8's --perf-basic-prof names the code it compiled — WASM
// functions by the module's name section — so an addon's C functions and a WASM module's compiled C functions
// are counted the same way, and their names match. A function's time per call is its share of the samples in
// the workload's code times the backend's median time per call from the bench.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceFunction } from '@leakbench/attribution';
import { UsageError, type HostSettings } from '@leakbench/core';

/** One line of `perf report --sort dso,symbol`: samples whose innermost frame is `symbol` in `dso`. */
export interface PerfRow {
  samples: number;
  dso: string;
  symbol: string;
}

/** Reads `perf report --stdio -F sample,dso,sym --field-separator=<tab>` output. */
export function parsePerfReport(text: string): PerfRow[] {
  const rows: PerfRow[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [samples, dso, sym] = line.split('\t').map((f) => f.trim());
    if (!samples || !/^\d+$/.test(samples) || dso === undefined || sym === undefined) continue;
    rows.push({ samples: Number(samples), dso, symbol: sym.replace(/^\[[.k]\]\s*/, '') });
  }
  return rows;
}

/** V8's name for compiled WASM code under --perf-basic-prof: `JS:<name>-<function index>-<tier>`. */
const WASM_CODE = /^JS:(.+)-\d+-(?:turbofan|liftoff)$/;
/** The shared objects whose code is the workload's: a Node-API addon, and the C libraries C code calls. */
const WORKLOAD_DSO = /\.node$|^libm\.so|^libc\.so|^libstdc\+\+\.so/;

/**
 * A C library symbol under the function a C program calls: glibc's libm implements `exp` as `__ieee754_exp_avx`,
 * `__exp_fma`, … (one per CPU variant) behind the `exp` wrapper; versioned symbols (`exp@@GLIBC_2.29`) lose
 * the version; a GCC clone its suffix.
 */
export function libraryFunction(symbol: string): string {
  const bare = sourceFunction(symbol.replace(/@@?[A-Z_]+[\d.]*$/, ''));
  const variant = /^__(?:ieee754_)?([a-z][a-z0-9]*?)(?:_(?:sse2|sse41|avx2?|fma4?|finite))?$/.exec(bare);
  return variant && bare.startsWith('__') ? variant[1]! : bare;
}

/**
 * The workload's functions and their samples: compiled WASM functions and the code of addons and the C libraries,
 * each under its source name (a GCC clone under its function's, a versioned libc symbol without its version).
 * Everything else — Node, V8's runtime and JIT'd JavaScript, the kernel — is the host's.
 */
export function workloadSamples(rows: PerfRow[]): { total: number; functions: Map<string, number> } {
  const functions = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    total += r.samples;
    const wasm = WASM_CODE.exec(r.symbol);
    const name = wasm ? wasm[1]! : WORKLOAD_DSO.test(r.dso) ? (/^lib(?:m|c)\.so/.test(r.dso) ? libraryFunction(r.symbol) : sourceFunction(r.symbol)) : null;
    if (name) functions.set(name, (functions.get(name) ?? 0) + r.samples);
  }
  return { total, functions };
}

export interface ProfileJob {
  backend: { id: string; module: string | null };
  model: string;
  durationMs: number | null;
  warmup: number;
  calls: number;
}

/**
 * Samples one backend's calls in a fresh process started like the bench's (host flags and environment), under
 * perf; writes `<file>.perf.data` and `<file>.txt` (perf's report) and returns the report's rows.
 */
export function profileProcess(job: ProfileJob, host: HostSettings, worker: string, file: string): PerfRow[] {
  const data = `${file}.perf.data`;
  // --perf-basic-prof also turns on V8's event log, by default a file in the working directory: kept out of it.
  const v8log = `${file}.v8.log`;
  const node = [process.execPath, '--perf-basic-prof', `--logfile=${v8log}`, '--no-logfile-per-isolate', '--expose-gc', ...host.nodeFlags];
  const r = spawnSync(
    'perf',
    ['record', '-q', '-e', 'cpu-clock', '-F', '1999', '-o', data, '--', ...node, worker, 'bench-calls', JSON.stringify(job)],
    { env: { ...process.env, ...host.env }, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  if (r.status !== 0) throw new Error(`perf record of ${job.backend.id} ${job.model} failed (${r.status ?? r.signal}): ${r.stderr.trim()}`);
  const pid = /"pid":(\d+)/.exec(r.stdout)?.[1];
  const report = execFileSync('perf', ['report', '-i', data, '--stdio', '--no-children', '--sort', 'dso,symbol', '-F', 'sample,dso,sym', '--field-separator=\t'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  writeFileSync(`${file}.txt`, report);
  // V8's map of JIT'd code is read by perf report (just done, kept in <file>.txt); it is not left in /tmp.
  const map = pid ? join('/tmp', `perf-${pid}.map`) : null;
  if (map && existsSync(map)) rmSync(map);
  rmSync(v8log, { force: true });
  return parsePerfReport(report);
}

/** Throws UsageError when --profile cannot run here (perf not installed, or not allowed to sample), before anything is measured. */
export function checkProfiling(): void {
  const r = spawnSync('perf', ['record', '-q', '-e', 'cpu-clock', '-o', '/dev/null', '--', 'true'], { encoding: 'utf8' });
  if (r.error) throw new UsageError('--profile needs Linux perf: it is not installed (Debian: apt-get install linux-perf; npm run setup installs it)');
  if (r.status !== 0) throw new UsageError(`--profile needs Linux perf: perf record cannot sample here: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`);
}
