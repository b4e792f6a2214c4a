// Synthetic but schema-valid run directories for the report's tests (written with core's own writers).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CALIBRATION_SCHEMA, writeJsonAtomic, RUN_SCHEMA, runPaths, SampleWriter, writeManifest, writeVerdict } from '@leakbench/core';
import { analyseCell } from '@leakbench/analysis';
import type { CellRecord, RunManifest, Sample } from '@leakbench/core';

export const tmpDir = (name: string) => mkdtempSync(join(tmpdir(), `leakbench-report-${name}-`));

/** Deterministic noise. */
function prng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
}

export function makeSamples(backend: string, fixture: string, iterations: number, seed = 1): Sample[] {
  const rnd = prng(seed);
  const heapRate = fixture === 'object' ? 56 : 0;
  const allocRate = fixture === 'double' ? (backend === 'wasm' ? 16 : 32) : 0;
  const out: Sample[] = [];
  for (let i = 0; i <= iterations; i++) {
    out.push({
      i,
      phase: i === 0 ? 'baseline' : i <= 10 ? 'warmup' : 'measure',
      iterNs: i === 0 ? null : (backend === 'wasm' ? 5.2e6 : 3.9e6) * (1 + rnd() * 0.1),
      tMs: i * 6,
      vmsBytes: 1.1e9,
      rssBytes: 6e7 + Math.floor(i / 40) * 4096,
      maxRssBytes: 6.1e7 + Math.floor(i / 40) * 4096,
      heapUsedBytes: 7e6 + heapRate * i + Math.round(rnd() * 400) + (i < 5 ? 3000 : 0),
      heapTotalBytes: 1.7e7,
      externalBytes: 1.9e6 + (backend === 'wasm' ? 16777216 : 0),
      arrayBuffersBytes: 27000,
      globalHandlesBytes: 18000,
      gcMinor: Math.floor(i / 7),
      gcMajor: i,
      gcIncremental: 0,
      gcWeakCallbacks: null,
      gcPauseNs: i * 2.1e6,
      allocatorBytes: (backend === 'wasm' ? 0 : 3.9e6 + Math.round(rnd() * 600)) + allocRate * i,
      moduleHeapBytes: allocRate ? (allocRate - 8) * i : 0,
      wasmMemoryBytes: backend === 'wasm' ? 16777216 : null,
    });
  }
  out.push({ ...out.at(-1)!, phase: 'settle', iterNs: null });
  return out;
}

export interface MakeRunOptions {
  iterations?: number;
  crashed?: boolean;
  hostile?: boolean;
  dir?: string;
  calibration?: boolean;
  /** A third backend ('js') that ran `none`, as a plug-in backend would. */
  thirdBackend?: boolean;
}

export function makeRun(o: MakeRunOptions = {}): string {
  const dir = o.dir ?? join(tmpDir('run'), 'run');
  const iterations = o.iterations ?? 120;
  const cells: { backend: string; fixture: string; id: string; status: CellRecord['status'] }[] = [];
  for (const backend of ['native', 'wasm']) for (const fixture of ['none', 'object', 'double']) cells.push({ backend, fixture, id: `${backend}-lr1991-${fixture}`, status: 'ok' });
  if (o.crashed) cells.push({ backend: 'wasm', fixture: 'list', id: 'wasm-lr1991-list-crashed', status: 'crashed' });
  if (o.thirdBackend) cells.push({ backend: 'js', fixture: 'none', id: 'js-lr1991-none', status: 'ok' });
  if (o.hostile) cells.push({ backend: 'native', fixture: '<script>alert(1)</script>', id: 'native-lr1991-hostile', status: 'ok' });
  const manifest: RunManifest = {
    schema: RUN_SCHEMA,
    id: 'test-run',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    leakbenchVersion: '0.1.0',
    environment: { node: 'v20.0.0', v8: '11.3', os: 'Linux 6', arch: 'x64', cpu: 'Test CPU <b>', cpus: 2, totalMemBytes: 2e10, commit: 'abc', hostname: 'host' },
    options: {
      backends: ['native', 'wasm'],
      models: ['lr1991'],
      fixtures: ['none', 'object', 'double'],
      iterations,
      warmup: 10,
      durationMs: 1000,
      logIntervalMs: 1,
      gc: 'before-sample',
      jobs: 2,
      cellTimeoutS: 60,
      settle: true,
      host: { profile: 'stable', nodeFlags: ['--no-opt'], env: { GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0' } },
    },
    cells: cells.map((c) => ({
      spec: { id: c.id, backend: c.backend, backendModule: null, model: 'lr1991', fixture: c.fixture, iterations, warmup: 10, durationMs: 1000, logIntervalMs: 1, gc: 'before-sample', settle: true },
      status: c.status,
      exitCode: c.status === 'ok' ? 0 : null,
      signal: c.status === 'ok' ? null : 'SIGKILL',
      samples: c.status === 'ok' ? iterations + 2 : 0,
      startedAt: null,
      endedAt: null,
      error: c.status === 'ok' ? null : 'process ended with signal SIGKILL',
      build: { backend: c.backend, compiler: 'gcc', compilerVersion: '12.2.0', emccVersion: c.backend === 'wasm' ? '3.1.6' : null, sundialsVersion: '6.4.1', optFlags: '-O2', allocator: 'test' },
    })),
  };
  writeManifest(dir, manifest);
  cells.forEach((c, k) => {
    if (c.status !== 'ok') return;
    const samples = makeSamples(c.backend, c.fixture, iterations, k + 1);
    const w = new SampleWriter(runPaths(dir).samples(c.id));
    for (const s of samples) w.write(s);
    w.close();
    writeVerdict(dir, analyseCell(c.id, samples, { warmup: 10 }));
  });
  if (o.calibration) {
    const summaries = ['native', 'wasm'].flatMap((backend) =>
      ['none', 'object', 'double'].map((fixture) => ({
        backend,
        fixture,
        expectedWhere: fixture === 'none' ? 'none' : fixture === 'object' ? 'js-heap' : 'c-allocator',
        requestedBytes: fixture === 'double' ? 8 : 0,
        trueBytesPerIteration: fixture === 'double' ? (backend === 'wasm' ? 16 : 32) : null,
        byIterations: [10, 30, 100].map((iterations, k) => ({ iterations, trials: 5, correct: fixture === 'none' ? 5 : 3 + k, leak: fixture === 'none' ? 0 : 3 + k })),
        iterationsToDetect: fixture === 'none' ? null : 100,
        falsePositiveRate: fixture === 'none' ? 0 : null,
        estimatedBytesPerIteration: fixture === 'double' ? (backend === 'wasm' ? 16 : 31.8) : null,
        relativeError: fixture === 'double' ? (backend === 'wasm' ? 0 : -0.006) : null,
      })),
    );
    writeJsonAtomic(runPaths(dir).calibration, {
      schema: CALIBRATION_SCHEMA,
      createdAt: manifest.createdAt,
      environment: manifest.environment,
      options: { backends: ['native', 'wasm'], fixtures: ['none', 'object', 'double'], iterationCounts: [10, 30, 100], trials: 5, noneTrials: 5, model: 'lr1991', gc: 'before-sample' },
      summaries,
      trials: [],
    });
  }
  return dir;
}
