// What runs inside the child processes the harness starts: a cell (`cell <spec-json> <samples-path> [<part-json>]`:
// the whole cell, or the part of it one process of a recycled or resumed cell runs), the
// attribution pass of a cell (`attribute <spec-json> <dir>`: the same loop, a heap snapshot at each of
// attribute.ts's points, everything written into <dir>), or a growth probe
// (`growth-probe <job-json>`, a GrowthProbeJob; prints {"<fixture>": bytes | null, ...}), or the backends timed
// side by side (`bench <job-json>`, see bench.ts).
// The harness does not know how backends are found: the composition root (the CLI) owns an entry script that
// calls runWorker with its backend loader, and passes that script's path to the harness.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
//
// A cell measures the heap of the process it runs in, so this module loads only what a cell needs (no zod, no
// analysis, no snapshot parser; see @leakbench/core/cell): the growth probe and the bench load theirs when asked.
import type { Backend, CellSpec } from '@leakbench/core';
import { stampModules } from '@leakbench/attribution/c-heap';
import { C_HEAP_WHY_NOT, cHeapFile, snapshotFile, snapshotPoints, storesFile } from './attribute-files.js';
import { GCS_BEFORE_SAMPLE, runCell, SETTLE_TURNS, STOP_SIGNAL, wholeCell, type CellPart } from './cell.js';
import { PROBES_FILE, startHarnessProbes, writeProbesReport } from './probes.js';
import type { CellMessage } from './protocol.js';

/** Finds a backend: a built-in by id, or a user module by path (null for built-ins), given its `--option`s. */
export type BackendLoader = (backend: string, modulePath: string | null, options?: Record<string, string>) => Promise<Backend>;

const send = (m: CellMessage) => process.send?.(m);

/** The spec as the parent sends it: built by the plan or read from a validated manifest, so not parsed again here. */
const specOf = (json: string) => JSON.parse(json) as CellSpec;

async function cellMain(args: string[], load: BackendLoader): Promise<void> {
  const [specJson, samplesPath, partJson] = args;
  const spec = specOf(specJson!);
  const part = partJson ? (JSON.parse(partJson) as CellPart) : wholeCell(spec);
  if (spec.host === 'chromium') return browserCellMain(spec, samplesPath!, part, load);
  const probes = startHarnessProbes(spec.probes); // before the backend loads: its WebAssembly must pass through
  const loaded = await load(spec.backend, spec.backendModule, spec.backendOptions);
  const backend = probes ? probes.wrap(loaded) : loaded;
  send({ type: 'start', build: backend.info(), pid: process.pid });
  const samples = await runCell(spec, samplesPath!, backend, {}, part);
  if (probes) writeProbesReport(join(dirname(samplesPath!), PROBES_FILE), probes.report(loaded));
  send({ type: 'done', samples });
}

/** A cell whose module runs in a page of headless Chromium: this process drives it (@leakbench/browser-host). */
async function browserCellMain(spec: CellSpec, samplesPath: string, part: CellPart, load: BackendLoader): Promise<void> {
  const backend = await load(spec.backend, spec.backendModule, spec.backendOptions);
  if (!backend.pageBuild) throw new Error(`backend '${backend.id}' has no page build to run in Chromium`);
  const { runBrowserCell } = await import('@leakbench/browser-host');
  const samples = await runBrowserCell(spec, samplesPath, {
    page: backend.pageBuild(),
    part,
    gcsBeforeSample: GCS_BEFORE_SAMPLE,
    settleTurns: SETTLE_TURNS,
    stopSignal: STOP_SIGNAL,
    jsFlags: (process.env.LEAKBENCH_PAGE_JS_FLAGS ?? '').split(' ').filter(Boolean),
    onStart: (build, pid) => send({ type: 'start', build, pid }),
  });
  send({ type: 'done', samples });
}

async function attributeMain(args: string[], load: BackendLoader): Promise<void> {
  const [specJson, dir] = args;
  // The settle check's extra GCs and sample add nothing to where the growth is.
  const spec = { ...specOf(specJson!), settle: false };
  if (spec.host === 'chromium') throw new Error(`cell ${spec.id} runs in a page of Chromium, where attribution passes are not built yet (heap snapshots and the WASM tracking variant in the page)`);
  const points = new Set(snapshotPoints(spec));
  const probes = startHarnessProbes(spec.probes, { attribution: true });
  const loaded = await load(spec.backend, spec.backendModule, spec.backendOptions);
  const backend = probes ? probes.wrap(loaded) : loaded;
  send({ type: 'start', build: backend.info(), pid: process.pid });
  // C heap sites where the backend offers them: tracked from before the first iteration.
  const tracking = (await backend.trackAllocationSites?.()) === true && backend.allocationSites;
  const cSites = tracking ? backend.allocationSites!.bind(backend) : null;
  if (!cSites) {
    const why = probes?.sitesWhyNot(loaded) ?? (loaded.trackAllocationSites ? `${loaded.id}'s trackAllocationSites() said this build cannot` : `${loaded.id} offers no allocation sites (Backend.allocationSites) and the harness's probes were off`);
    writeFileSync(join(dir!, C_HEAP_WHY_NOT), why + '\n');
  }
  const samples = await runCell(spec, join(dir!, 'samples.ndjson'), backend, {
    afterSample: (i) => {
      probes?.atRest(); // between iterations: no call into a module under way
      if (!points.has(i)) return;
      // The C count first: its result is written and dropped before the JS heap is photographed.
      if (cSites) writeFileSync(join(dir!, cHeapFile(i)), JSON.stringify(stampModules(cSites())));
      // Stores outside every heap the snapshots and sites see: each WebAssembly linear memory, with its module.
      if (probes) writeFileSync(join(dir!, storesFile(i)), JSON.stringify(probes.memories()));
      writeHeapSnapshot(join(dir!, snapshotFile(i)));
    },
  });
  if (probes) writeProbesReport(join(dir!, PROBES_FILE), probes.report(loaded));
  send({ type: 'done', samples });
}

/** What a growth probe measures: a backend (built-in by id, or a module by path with its options) and fixtures. */
export interface GrowthProbeJob {
  backend: string;
  backendModule: string | null;
  backendOptions?: Record<string, string>;
  model: string;
  fixtures: string[];
}

// No harness probe is installed: the truth is what the backend itself measures, independent of what is calibrated.
async function growthProbeMain(args: string[], load: BackendLoader): Promise<void> {
  const job = JSON.parse(args[0]!) as GrowthProbeJob;
  const { measureTrueGrowth } = await import('./growth.js');
  const backend = await load(job.backend, job.backendModule, job.backendOptions ?? {});
  const out: Record<string, number | null> = {};
  for (const f of job.fixtures) out[f] = measureTrueGrowth(backend, job.model, f);
  process.stdout.write(JSON.stringify(out) + '\n');
}

/** The entry of a harness child process: dispatches on argv[2]. Errors reach the parent and exit code 3. */
export function runWorker(load: BackendLoader, argv = process.argv): void {
  const [mode, ...args] = argv.slice(2);
  const modes: Record<string, (args: string[], load: BackendLoader) => Promise<void>> = {
    cell: cellMain,
    attribute: attributeMain,
    'growth-probe': growthProbeMain,
    bench: async (a, l) => (await import('./bench.js')).benchMain(a, l),
    'bench-calls': async (a, l) => (await import('./bench.js')).benchCallsMain(a, l),
  };
  const main = mode ? modes[mode] : undefined;
  if (!main) {
    process.stderr.write(`leakbench worker: unknown mode '${mode}'; accepted: ${Object.keys(modes).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  main(args, load).then(
    () => process.disconnect?.(),
    (e: Error) => {
      send({ type: 'error', message: e.message });
      process.stderr.write(`${e.stack ?? e}\n`);
      process.exitCode = 3;
      process.disconnect?.();
    },
  );
}
