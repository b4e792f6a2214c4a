// One cell in a page of headless Chromium, driven from the cell's own Node process (harness/worker.ts starts it
// there for a spec whose host is 'chromium'). The page runs the backend's page build; this process runs the loop
// over the DevTools protocol and samples every layer the browser's way:
//   JS heap       Runtime.getHeapUsage after forced full GCs (HeapProfiler.collectGarbage), as --expose-gc's gc() in Node
//   arrayBuffers  its backingStorageSize (ArrayBuffer stores and external strings; WebAssembly memories are not in it)
//   C heap, WASM  the backend's own probes, called in the page
//   RSS, VMS      the renderer process's /proc/<pid>/statm (its pid from a moment of tracing); max RSS: VmHWM
// Layers a page does not give — external, V8 global handles, GC counts by kind — are null. The driver's own
// process is not measured: only the renderer is.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { SampleWriter } from '@leakbench/core/cell';
import type { BuildInfo, CellSpec, Fixture, Phase, Probes, Sample, SimulateOptions } from '@leakbench/core';
import { prepareModule, hintsFrom } from '@leakbench/wasm-probe';
import { launchChromium } from './chromium.js';
import { findAsset, originalSource } from './page-build.js';
import { GIVEN_PATH, PREPARE_PATH, type PageDescription, type PageProbesReport, type PageStart, type PreparedModule } from './page-protocol.js';
import { servePage, type PageServer } from './server.js';

/**
 * A backend's page build: the files the page loads (served by name, side by side) and which one is its entry;
 * `assetDirs`: where a file its code fetches by name is found (page-build.ts, a user's module bundled).
 */
export interface PageBuild {
  entry: string;
  files: Record<string, string>;
  assetDirs?: string[];
  /** Source maps of served files (by name), to name a bundled script by its source. */
  sourceMaps?: Record<string, string>;
}

/** How the harness runs its cells, so that a browser cell follows the same loop (see harness/cell.ts). */
export interface BrowserCellOptions {
  page: PageBuild;
  /** Iterations from+1 … to, as segment `segment` (harness CellPart). */
  part: { from: number; to: number; segment: number };
  gcsBeforeSample: number;
  settleTurns: number;
  /** The signal that asks a sequential cell to stop after its current iteration. */
  stopSignal: NodeJS.Signals;
  /** V8 flags for the page (Chromium's --js-flags): the host profile's, as a Node cell of the run gets them. */
  jsFlags?: string[];
  /** Called once the page's backend has loaded: its build, where it runs, and the renderer's pid. */
  onStart?: (build: BuildInfo, pid: number) => void;
  /** With the harness's probes on (CellSpec.probes): where the C layers came from, once the loop is done. */
  onProbes?: (report: PageProbesReport) => void;
  /**
   * An attribution pass (harness worker.ts): `track` asks the page's backend to record C allocation stacks before the
   * first iteration (its answer reaches `onTrack`), and `afterSample` runs after each sample is on disk.
   */
  track?: boolean;
  onTrack?: (tracking: boolean) => void;
  afterSample?: (i: number, page: PageDriver) => Promise<void>;
}

const RUNTIME = fileURLToPath(new URL('./page/runtime.bundle.js', import.meta.url));
const PAGE = '<!doctype html><meta charset="utf-8"><title>leakbench cell</title><script type="module" src="/runtime.js"></script>';

/** The pid of the renderer process that hosts `page`'s main frame: Chromium names it in the trace's first event. */
async function rendererPid(browser: Browser, page: Page): Promise<number> {
  await browser.startTracing(page, { categories: ['disabled-by-default-devtools.timeline'] });
  const trace = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: { name: string; args?: { data?: { frames?: { processId: number; isOutermostMainFrame?: boolean; url: string }[] } } }[] };
  const url = page.url();
  for (const e of trace.traceEvents) {
    if (e.name !== 'TracingStartedInBrowser') continue;
    const frame = e.args?.data?.frames?.find((f) => f.url === url) ?? e.args?.data?.frames?.[0];
    if (frame?.processId) return frame.processId;
  }
  throw new Error("Chromium's trace named no renderer process for the page");
}

/** RSS and VMS (statm) and the high-water RSS (VmHWM) of a process, in bytes; nulls when /proc cannot say. */
function processPages(pid: number): { rss: number | null; vms: number | null; hwm: number | null } {
  try {
    const [vms, rss] = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ').map(Number);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return { rss: rss! * 4096, vms: vms! * 4096, hwm: hwm ? Number(hwm) * 1024 : null };
  } catch {
    return { rss: null, vms: null, hwm: null };
  }
}

/** The page's side, called over the DevTools protocol; `pid` is its renderer process. */
export class PageDriver {
  constructor(
    readonly cdp: CDPSession,
    readonly pid: number,
  ) {}

  async call<T>(expression: string): Promise<T> {
    const r = await this.cdp.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  async gc(times: number): Promise<void> {
    for (let k = 0; k < times; k++) await this.cdp.send('HeapProfiler.collectGarbage');
  }

  /** Writes a V8 heap snapshot of the page to `file` (the format `v8.writeHeapSnapshot` writes in Node). */
  async heapSnapshot(file: string): Promise<void> {
    const fd = openSync(file, 'w');
    const chunk = ({ chunk }: { chunk: string }) => writeSync(fd, chunk);
    this.cdp.on('HeapProfiler.addHeapSnapshotChunk', chunk);
    try {
      await this.cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    } finally {
      this.cdp.off('HeapProfiler.addHeapSnapshotChunk', chunk);
      closeSync(fd);
    }
  }
}

async function takeSample(d: PageDriver, t0: bigint, i: number, phase: Phase, iterNs: number | null, segment: number): Promise<Sample> {
  const heap = (await d.cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number; backingStorageSize?: number };
  const pages = processPages(d.pid);
  const probes = await d.call<Probes>('__leakbench.probe()');
  // The probes' own tables are the instrument's, not the page's workload (as sampler.ts leaves them out in Node).
  const own = probes.ownBytes ?? 0;
  return {
    i,
    phase,
    iterNs,
    tMs: Number(process.hrtime.bigint() - t0) / 1e6,
    vmsBytes: pages.vms === null ? null : pages.vms - own,
    rssBytes: pages.rss === null ? null : pages.rss - own,
    maxRssBytes: pages.hwm ?? pages.rss ?? 0,
    heapUsedBytes: heap.usedSize,
    heapTotalBytes: heap.totalSize,
    externalBytes: null,
    arrayBuffersBytes: heap.backingStorageSize === undefined ? null : heap.backingStorageSize - (probes.ownArrayBufferBytes ?? 0),
    globalHandlesBytes: null,
    gcMinor: null,
    gcMajor: null,
    gcIncremental: null,
    gcWeakCallbacks: null,
    gcPauseNs: null,
    allocatorBytes: probes.allocatorBytes,
    moduleHeapBytes: probes.moduleHeapBytes ?? null,
    wasmMemoryBytes: probes.wasmMemoryBytes,
    ...(segment ? { segment } : {}),
  };
}

/** A backend loaded in a page of a fresh headless Chromium, served from its own loopback origin. */
export interface PageSession {
  driver: PageDriver;
  /** The backend's build as the page reports it, with where it runs (BuildInfo.runtime). */
  build: BuildInfo;
  close(): Promise<void>;
}

/**
 * The harness's probe asks the page's server to rewrite a module the page instantiates (wasm-probe prepareModule).
 * `caller` is the instantiating script's URL path with its line and column: the module is named, and its glue's
 * allocator names read, from that script's source (through the build's source map for a bundle).
 */
function prepareForPage(build: PageBuild, body: Uint8Array, query: URLSearchParams, given: Set<string>): PreparedModule {
  const m = /^\/backend\/([^:]+):(\d+):(\d+)$/.exec(query.get('caller') ?? '');
  const name = m?.[1];
  const served = name ? build.files[name] : undefined;
  const script = served ? originalSource(build, name!, served, Number(m![2]), Number(m![3])) : null;
  const state = prepareModule(body, script, hintsFrom(script), query.get('sites') === '1');
  const r = state.rewritten;
  if (r.bytes !== null) given.add(r.givenPath);
  return { hash: state.hash, instantiatedBy: state.instantiatedBy, rewritten: r.bytes === null ? r : { ...r, bytes: Buffer.from(r.bytes).toString('base64') } };
}

/**
 * Starts Chromium (its V8 with `jsFlags`), serves `build` and the page's runtime, and calls `call` with the page's
 * driver (its renderer's pid when `pid`); then closes what it started unless `call` keeps it open (`keep`). A page
 * error names the files the page asked for and could not have.
 */
async function withPage<T>(build: PageBuild, jsFlags: string[], pid: boolean, call: (driver: PageDriver, browser: Browser) => Promise<T>, keep: boolean): Promise<{ value: T; close: () => Promise<void> }> {
  const routes: Record<string, string | { text: string }> = { '/cell.html': { text: PAGE }, '/runtime.js': RUNTIME };
  for (const [name, file] of Object.entries(build.files)) routes[`/backend/${name}`] = file;
  let server: PageServer | null = null;
  let browser: Browser | null = null;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
  };
  try {
    // The modules the page had rewritten, by the path of their given bytes: the only files GIVEN_PATH serves.
    const given = new Set<string>();
    const givenBytes = (body: Uint8Array) => {
      const path = Buffer.from(body).toString('utf8');
      if (!given.has(path)) throw new Error(`not a module this page had prepared: ${path}`);
      return readFileSync(path).toString('base64');
    };
    server = await servePage(routes, { asset: (path) => findAsset(build, path), post: { [PREPARE_PATH]: (body, query) => prepareForPage(build, body, query, given), [GIVEN_PATH]: givenBytes } });
    browser = await launchChromium(jsFlags);
    const page = await browser.newPage();
    await page.goto(`${server.origin}/cell.html`);
    await page.waitForFunction(() => '__leakbench' in globalThis);
    const cdp = await page.context().newCDPSession(page);
    const driver = new PageDriver(cdp, pid ? await rendererPid(browser, page) : 0);
    const value = await call(driver, browser).catch((e: Error) => {
      const missing = server!.missing.filter((p) => p !== '/favicon.ico');
      if (!missing.length) throw e;
      // Said on the error's first line, before the page's stack.
      const [first, ...stack] = e.message.split('\n');
      throw new Error([`${first} (the page asked for ${missing.join(', ')}: not among the build's files, nor beside its sources)`, ...stack].join('\n'));
    });
    if (!keep) await close();
    return { value, close };
  } catch (e) {
    await close();
    throw e;
  }
}

const entryUrl = (build: PageBuild) => JSON.stringify(`/backend/${build.entry}`);

/**
 * Starts Chromium (its V8 with `jsFlags`), serves `build` and the page's runtime, loads the backend in the page
 * (with its options; the harness's WebAssembly probe first when `setup.probes`) and sets the call every iteration
 * makes (`opts`); finds the renderer's pid. Closes what it started if any step fails.
 */
export async function openPage(build: PageBuild, opts: SimulateOptions, jsFlags: string[] = [], setup: PageStart = { options: {}, probes: false }): Promise<PageSession> {
  const { value, close } = await withPage(
    build,
    jsFlags,
    true,
    async (driver, browser) => {
      const started = await driver.call<{ build: BuildInfo }>(`__leakbench.start(${entryUrl(build)}, ${JSON.stringify(opts)}, ${JSON.stringify(setup)})`);
      const { jsVersion } = (await (await browser.newBrowserCDPSession()).send('Browser.getVersion')) as { jsVersion: string };
      return { driver, build: { ...started.build, runtime: `Chromium ${browser.version()} (V8 ${jsVersion}), headless` } };
    },
    true,
  );
  return { ...value, close };
}

/** Loads a user's module in a page once, for what a plan asks of it (its id, workloads, options), and closes. */
export async function describePage(build: PageBuild, setup: PageStart, jsFlags: string[] = []): Promise<PageDescription> {
  const { value } = await withPage(build, jsFlags, false, (driver) => driver.call<PageDescription>(`__leakbench.describe(${entryUrl(build)}, ${JSON.stringify(setup)})`), false);
  return value;
}

/** A user's module's own measure of each fixture's block, in a page (page/runtime.ts growth). */
export async function pageGrowth(build: PageBuild, setup: PageStart, fixtures: Record<string, Fixture>, jsFlags: string[] = []): Promise<Record<string, number | null>> {
  const { value } = await withPage(build, jsFlags, false, (driver) => driver.call<Record<string, number | null>>(`__leakbench.growth(${entryUrl(build)}, ${JSON.stringify(setup)}, ${JSON.stringify(fixtures)})`), false);
  return value;
}

/** Runs the cell's part in a fresh headless Chromium and appends its samples to `samplesPath`; returns how many. */
export async function runBrowserCell(spec: CellSpec, samplesPath: string, o: BrowserCellOptions): Promise<number> {
  if (spec.gc !== 'before-sample') throw new Error(`a browser cell forces its GCs before each sample (--gc before-sample); --gc ${spec.gc} is not measurable there`);
  let session: PageSession | null = null;
  let writer: SampleWriter | null = null;
  let stopRequested = false;
  const stop = () => {
    stopRequested = true;
  };
  if (spec.sequential) process.on(o.stopSignal, stop);
  try {
    const opts: SimulateOptions = { model: spec.model, durationMs: spec.durationMs, logIntervalMs: spec.logIntervalMs, fixture: spec.fixtureDef ?? { kind: 'none', bytes: 0, period: 0 } };
    const probes = spec.probes?.wasm === true;
    session = await openPage(o.page, opts, o.jsFlags, { options: spec.backendOptions ?? {}, probes, sites: probes && o.track === true });
    const { driver } = session;
    o.onStart?.({ ...session.build, backend: spec.backend }, driver.pid);
    // Every expression the loop sends is compiled once here, before the baseline: a page keeps each new script's
    // code on its heap, and the settle check's first call would otherwise read as growth at the end.
    await driver.call('__leakbench.turn(5)');
    await driver.call('__leakbench.probe()');
    if (o.track) o.onTrack?.(await driver.call<boolean>('__leakbench.track()'));
    writer = new SampleWriter(samplesPath);
    const w = writer;
    const t0 = process.hrtime.bigint();
    const { from, to, segment } = o.part;
    const sample = async (i: number, phase: Phase, iterNs: number | null) => {
      await driver.gc(o.gcsBeforeSample);
      w.write(await takeSample(driver, t0, i, phase, iterNs, segment));
      if (phase !== 'settle') await o.afterSample?.(i, driver);
    };
    await sample(from, 'baseline', null);
    const fresh = segment > 0;
    for (let k = 0; fresh && k < spec.warmup; k++) await sample(from, 'warmup', await driver.call<number>('__leakbench.iterate()'));
    let last = from;
    for (let i = from + 1; i <= to && !stopRequested; i++) {
      const iterNs = await driver.call<number>('__leakbench.iterate()');
      await sample(i, !fresh && i <= spec.warmup ? 'warmup' : 'measure', iterNs);
      last = i;
    }
    if (spec.settle && (to === spec.iterations || stopRequested) && last > from) {
      for (let k = 0; k < o.settleTurns; k++) {
        await driver.gc(1);
        await driver.call('__leakbench.turn(5)');
      }
      await sample(last, 'settle', null);
    }
    if (probes) {
      const report = await driver.call<PageProbesReport | null>('__leakbench.report()');
      if (report) o.onProbes?.(report);
    }
    return w.count;
  } finally {
    writer?.close();
    await session?.close();
  }
}
