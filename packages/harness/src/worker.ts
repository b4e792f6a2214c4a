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
import type { Backend, CellHost, CellSpec, CHeapSites } from '@leakbench/core';
import { parseFixture } from '@leakbench/core/cell';
import type { BrowserCellOptions, PageBuild } from '@leakbench/browser-host';
import { stampModules } from '@leakbench/attribution/c-heap';
import { C_HEAP_WHY_NOT, cHeapFile, PAGE_SOURCES, snapshotFile, snapshotPoints, storesFile } from './attribute-files.js';
import { GCS_BEFORE_SAMPLE, runCell, SETTLE_TURNS, STOP_SIGNAL, wholeCell, type CellPart } from './cell.js';
import { PROBES_FILE, startHarnessProbes, writeProbesReport } from './probes.js';
import type { CellMessage } from './protocol.js';

/**
 * Finds a backend: a built-in by id, or a user module by path (null for built-ins), given its `--option`s; `host`
 * 'chromium': the module in a page of headless Chromium (`--runtime chromium`).
 */
export type BackendLoader = (backend: string, modulePath: string | null, options?: Record<string, string>, host?: CellHost) => Promise<Backend>;

const send = (m: CellMessage) => process.send?.(m);

/** The spec as the parent sends it: built by the plan or read from a validated manifest, so not parsed again here. */
const specOf = (json: string) => JSON.parse(json) as CellSpec;

async function cellMain(args: string[], load: BackendLoader): Promise<void> {
  const [specJson, samplesPath, partJson] = args;
  const spec = specOf(specJson!);
  const part = partJson ? (JSON.parse(partJson) as CellPart) : wholeCell(spec);
  if (spec.host === 'chromium') return browserCellMain(spec, samplesPath!, part, load);
  const probes = startHarnessProbes(spec.probes); // before the backend loads: its WebAssembly must pass through
  const loaded = await load(spec.backend, spec.backendModule, spec.backendOptions, spec.host);
  const backend = probes ? probes.wrap(loaded) : loaded;
  send({ type: 'start', build: backend.info(), pid: process.pid });
  const samples = await runCell(spec, samplesPath!, backend, {}, part);
  if (probes) writeProbesReport(join(dirname(samplesPath!), PROBES_FILE), probes.report(loaded));
  send({ type: 'done', samples });
}

/**
 * What a browser cell's page loads: a user's module bundled for it (page-build.ts; the module is not loaded in this
 * process), or a built-in backend's page build.
 */
async function pageBuildOf(spec: CellSpec, load: BackendLoader): Promise<PageBuild> {
  if (spec.backendModule) return (await import('@leakbench/browser-host')).bundleForPage(spec.backendModule);
  const backend = await load(spec.backend, null, spec.backendOptions, spec.host);
  if (!backend.pageBuild) throw new Error(`backend '${backend.id}' has no page build to run in Chromium`);
  return backend.pageBuild();
}

/** The browser host's loop for a cell whose page loads `page`, as this harness runs its own cells. */
async function browserCell(spec: CellSpec, samplesPath: string, part: CellPart, page: PageBuild, extra: Partial<BrowserCellOptions> = {}): Promise<number> {
  const { pageJsFlags, runBrowserCell } = await import('@leakbench/browser-host');
  return runBrowserCell(spec, samplesPath, {
    page,
    part,
    gcsBeforeSample: GCS_BEFORE_SAMPLE,
    settleTurns: SETTLE_TURNS,
    stopSignal: STOP_SIGNAL,
    jsFlags: pageJsFlags(),
    onStart: (build, pid) => send({ type: 'start', build, pid }),
    // The harness's WebAssembly probe ran in the page: where each C layer came from, as a Node cell writes it.
    onProbes: (report) => writeProbesReport(join(dirname(samplesPath), PROBES_FILE), report),
    ...extra,
  });
}

/** A cell whose module runs in a page of headless Chromium: this process drives it (@leakbench/browser-host). */
async function browserCellMain(spec: CellSpec, samplesPath: string, part: CellPart, load: BackendLoader): Promise<void> {
  send({ type: 'done', samples: await browserCell(spec, samplesPath, part, await pageBuildOf(spec, load)) });
}

/**
 * The attribution pass of a cell in a page: the same loop, and at each of attribute.ts's points the page's C heap
 * sites (its backend's tracking variant, recording from before the first iteration) and a heap snapshot of the
 * page, written as the Node pass writes them — the analysis does not know where they came from.
 */
async function browserAttributeMain(spec: CellSpec, dir: string, load: BackendLoader): Promise<void> {
  const page = await pageBuildOf(spec, load);
  const points = new Set(snapshotPoints(spec));
  const files = page.files;
  // Bundled scripts: where their code came from, for the analysis (definitions given in their sources).
  if (page.sourceMaps) writeFileSync(join(dir, PAGE_SOURCES), JSON.stringify(Object.fromEntries(Object.entries(page.sourceMaps).map(([name, map]) => [`/backend/${name}`, map]))));
  // The page names a module by the file name it was served under; here it is the file itself (for the symbolizer).
  const local = (frame: string) => {
    const at = frame.lastIndexOf('@');
    const file = at > 0 ? files[frame.slice(0, at)] : undefined;
    return file ? file + frame.slice(at) : frame;
  };
  let tracking = false;
  const samples = await browserCell(spec, join(dir, 'samples.ndjson'), wholeCell(spec), page, {
    track: true,
    onTrack: (t) => {
      tracking = t;
      if (!t) writeFileSync(join(dir, C_HEAP_WHY_NOT), `${spec.backend}'s page build could not track allocation sites (its trackAllocationSites() said so, or it offers none${spec.probes?.wasm ? ", and no WebAssembly module in the page has hooks on its allocator" : ''})\n`);
    },
    afterSample: async (i, page) => {
      if (!points.has(i)) return;
      if (tracking) {
        const sites = await page.call<CHeapSites>('__leakbench.sites()');
        writeFileSync(join(dir, cHeapFile(i)), JSON.stringify(stampModules({ ...sites, stacks: sites.stacks.map((s) => s.map(local)) })));
      }
      // Stores outside every heap the snapshots and sites see: each linear memory the harness's probe found in the page.
      if (spec.probes?.wasm) writeFileSync(join(dir, storesFile(i)), JSON.stringify(await page.call<unknown[]>('__leakbench.memories()')));
      await page.heapSnapshot(join(dir, snapshotFile(i)));
    },
  });
  send({ type: 'done', samples });
}

async function attributeMain(args: string[], load: BackendLoader): Promise<void> {
  const [specJson, dir] = args;
  // The settle check's extra GCs and sample add nothing to where the growth is.
  const spec = { ...specOf(specJson!), settle: false };
  if (spec.host === 'chromium') return browserAttributeMain(spec, dir!, load);
  const points = new Set(snapshotPoints(spec));
  const probes = startHarnessProbes(spec.probes, { attribution: true });
  const loaded = await load(spec.backend, spec.backendModule, spec.backendOptions, spec.host);
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
  /** 'chromium': a user's module measured in a page (the trials ran there); absent: in this process. */
  host?: CellHost;
  model: string;
  fixtures: string[];
}

// No harness probe is installed: the truth is what the backend itself measures, independent of what is calibrated.
async function growthProbeMain(args: string[], load: BackendLoader): Promise<void> {
  const job = JSON.parse(args[0]!) as GrowthProbeJob;
  const { measureTrueGrowth } = await import('./growth.js');
  if (job.host === 'chromium' && job.backendModule) {
    // The module's own measure, in a page of its own: a module built for the browser need not load here.
    const host = await import('@leakbench/browser-host');
    const fixtures = Object.fromEntries(job.fixtures.map((f) => [f, parseFixture(f)]));
    const truth = await host.pageGrowth(await host.bundleForPage(job.backendModule), { options: job.backendOptions ?? {}, probes: false }, fixtures, host.pageJsFlags());
    process.stdout.write(JSON.stringify(truth) + '\n');
    return;
  }
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
