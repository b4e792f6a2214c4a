// The page's side of a browser cell: loads the backend's page build (an ES module exporting `load(options)`, the
// full Backend or the minimal contract, e.g. @leakbench/wasm-cvode's web/backend.js or a user's module bundled by
// ../page-build.ts) and gives the driver (../cell.ts) its calls over the DevTools protocol: start, one timed
// iteration, the probes, a turn of the event loop, one call with its whole trace (the bench's check), and an
// attribution pass's allocation sites. When the cell asks for the harness's probes, the WebAssembly API is wrapped
// before the module loads (the same probe as in a Node cell, @leakbench/wasm-probe/core): each module's bytes go to
// the page's server to be rewritten, synchronously, and its allocator's bytes in use are counted in the page.
// Bundled by esbuild into dist/page/runtime.bundle.js (the package's build).
import { asBackend, backendProblems } from '@leakbench/core/backend';
import type { Backend, BuildInfo, Fixture, Probes, SimulateOptions } from '@leakbench/core';
import { createWasmProbe, wasmLayerSources, withWasmLayers, type ModuleState, type WasmProbe } from '@leakbench/wasm-probe/core';
import { SiteTracker } from '@leakbench/wasm-probe/sites';
import { wasmHeaderSum } from './header-sum.js';
import { BAD_INPUT, GIVEN_PATH, PREPARE_PATH, type PageDescription, type PageProbesReport, type PageStart, type PreparedModule } from '../page-protocol.js';

interface PageCell {
  backend: Backend;
  opts: SimulateOptions;
  probe: WasmProbe | null;
  /** The harness's probe records the allocation stacks (an attribution pass of a module without sites of its own). */
  probeTracks: boolean;
}

let cell: PageCell | null = null;

/** The first script on the stack that is not this runtime: the one instantiating a module (URL path:line:column). */
function caller(): string | null {
  const here = new URL(import.meta.url).pathname;
  for (const line of new Error().stack?.split('\n').slice(1) ?? []) {
    const m = /(https?:\/\/[^\s()]+?):(\d+):(\d+)\)?$/.exec(line.trim());
    if (!m) continue;
    const path = new URL(m[1]!).pathname;
    if (path !== here) return `${path}:${m[2]}:${m[3]}`;
  }
  return null;
}

/** A synchronous request to the page's server: the site tracker reads a module's layout inside an allocation. */
function post(path: string, body: XMLHttpRequestBodyInit): string {
  const xhr = new XMLHttpRequest();
  xhr.open('POST', path, false);
  xhr.send(body);
  if (xhr.status !== 200) throw new Error(`the page's server refused ${path} (${xhr.status}: ${xhr.responseText})`);
  return xhr.responseText;
}

function fromBase64(text: string): Uint8Array {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let k = 0; k < raw.length; k++) bytes[k] = raw.charCodeAt(k);
  return bytes;
}

/**
 * A module's bytes, rewritten by the page's server (wasm-probe's prepareModule): synchronous, as `new
 * WebAssembly.Module` is, so a synchronous request.
 */
function prepare(bytes: Uint8Array, sites: boolean): ModuleState {
  const by = caller();
  const r = JSON.parse(post(`${PREPARE_PATH}?caller=${encodeURIComponent(by ?? '')}&sites=${sites ? 1 : 0}`, bytes.slice())) as PreparedModule;
  const rewritten = r.rewritten.bytes === null ? { reason: r.rewritten.reason, bytes: null } : { ...r.rewritten, bytes: fromBase64(r.rewritten.bytes) };
  return { hash: r.hash, instantiatedBy: r.instantiatedBy, rewritten } as ModuleState;
}

/**
 * Imports the page build and loads its backend, as the CLI does in Node (core backend-module.ts): the options it
 * declares checked, the contract checked, the minimal one completed. With the harness's probe, the WebAssembly API
 * is wrapped first, and a module that instantiates no WebAssembly while it loads is refused.
 */
async function loadInPage(entry: string, setup: PageStart): Promise<{ backend: Backend; raw: Partial<Backend>; probe: WasmProbe | null; declared: Record<string, string> | null }> {
  const sites = setup.sites === true;
  // The original API, before the probe wraps it: the summing module is the instrument's, not measured.
  const headers = wasmHeaderSum({ Module: WebAssembly.Module, Instance: WebAssembly.Instance });
  const probe = setup.probes
    ? createWasmProbe({
        prepare: (bytes) => prepare(bytes, sites),
        sumHeadersIn: headers.sum,
        ownBytes: headers.ownBytes,
        ...(sites ? { sites: new SiteTracker((path) => fromBase64(JSON.parse(post(GIVEN_PATH, path)) as string)) } : {}),
      })
    : null;
  type Loader = (o: Record<string, string>) => Promise<unknown>;
  const mod = (await import(entry)) as { load?: Loader; options?: Record<string, string>; default?: { load?: Loader; options?: Record<string, string> } };
  const load = mod.load ?? mod.default?.load;
  if (typeof load !== 'function') throw new Error(`${BAD_INPUT}the module does not export load(): Promise<Backend>`);
  const declared = mod.options ?? mod.default?.options ?? null;
  for (const name of Object.keys(setup.options)) {
    if (!declared || !(name in declared)) {
      const accepted = declared ? `accepted: ${Object.entries(declared).map(([n, what]) => `${n} (${what})`).join(', ')}` : 'it declares none';
      throw new Error(`${BAD_INPUT}--option ${name}: the module does not declare it; ${accepted}`);
    }
  }
  let loaded: unknown;
  try {
    loaded = await load(setup.options);
  } catch (e) {
    throw new Error(`${BAD_INPUT}load() failed in the page: ${(e as Error)?.message ?? String(e)}`);
  }
  const problems = backendProblems(loaded);
  if (problems.length) throw new Error(`${BAD_INPUT}the module does not implement the Backend interface; missing: ${problems.join(', ')}`);
  if (probe && probe.count() === 0) {
    throw new Error(`${BAD_INPUT}the module instantiated no WebAssembly module in the page while it loaded: the browser host measures WebAssembly (a JS-only module runs in Node)`);
  }
  return { backend: asBackend(loaded as Backend), raw: loaded as Partial<Backend>, probe, declared };
}

/** What a plan asks of a module that runs in a page (../cell.ts describePage). */
async function describe(entry: string, setup: PageStart): Promise<PageDescription> {
  const { backend, raw, declared } = await loadInPage(entry, setup);
  return { id: backend.id, description: backend.description, info: backend.info(), models: backend.models(), options: declared, simulates: typeof raw.simulate === 'function' };
}

/**
 * The true growth of each fixture per leaked block, as the module itself measures it (harness growth.ts: its
 * fixtureGrowth, else a malloc's allocatorBlockGrowth; the median of 21), in the page; null where it cannot. The
 * harness's probe is not installed: the truth must not come from what is calibrated.
 */
async function growth(entry: string, setup: PageStart, fixtures: Record<string, Fixture>): Promise<Record<string, number | null>> {
  const { backend } = await loadInPage(entry, { ...setup, probes: false });
  const median21 = (measure: () => number | null): number | null => {
    const xs = Array.from({ length: 21 }, measure).filter((x): x is number => x !== null && x >= 0).sort((a, b) => a - b);
    const m = xs.length >> 1;
    return xs.length === 0 ? null : xs.length % 2 ? xs[m]! : (xs[m - 1]! + xs[m]!) / 2; // as analysis' median
  };
  const out: Record<string, number | null> = {};
  for (const [id, f] of Object.entries(fixtures)) {
    let truth = backend.fixtureGrowth ? median21(() => backend.fixtureGrowth!(f)) : null;
    if (truth === null && f.kind === 'malloc' && backend.allocatorBlockGrowth) truth = median21(() => backend.allocatorBlockGrowth!(f.bytes));
    out[id] = truth;
  }
  return out;
}

async function start(entry: string, opts: SimulateOptions, setup: PageStart): Promise<{ build: BuildInfo; models: string[] }> {
  const { backend, probe } = await loadInPage(entry, setup);
  const models = backend.models().map((m) => m.id);
  if (!models.includes(opts.model)) throw new Error(`the page's backend has no workload '${opts.model}'; it has: ${models.join(', ')}`);
  cell = { backend, opts, probe, probeTracks: false };
  return { build: backend.info(), models };
}

/**
 * One iteration, timed by the page's clock (5 µs steps in a cross-origin isolated page); returns nanoseconds.
 * Synchronous, and the result dropped at once: nothing of the iteration survives to the GC before the sample.
 */
function iterate(): number {
  const c = cell!;
  if (c.probeTracks) c.probe!.atRest(); // between iterations: no call into a module under way (harness worker.ts)
  const t = performance.now();
  c.backend.simulate(c.opts);
  return Math.round((performance.now() - t) * 1e6);
}

/** The backend's probes, completed by the harness's where it leaves a layer null (as harness/probes.ts in Node). */
function probe(): Probes {
  const c = cell!;
  const own = c.backend.probe();
  return c.probe && c.probe.count() > 0 ? withWasmLayers(own, c.probe) : own;
}

/** Where each C layer came from (probes.json), when the harness's probe ran in the page. */
function report(): PageProbesReport | null {
  const c = cell!;
  if (!c.probe) return null;
  return { layers: wasmLayerSources(c.backend.probe(), c.probe, c.backend.id), native: null, wasm: c.probe.modules() };
}

/**
 * One call whose result comes back whole (the bench's like-for-like check): the trace's bytes as base64, so that
 * the comparison is bit for bit, and the solver's counts.
 */
function checkedCall(): { trace: string; steps: number; rhsEvals: number } {
  const r = cell!.backend.simulate(cell!.opts);
  const bytes = new Uint8Array(r.trace.buffer, r.trace.byteOffset, r.trace.byteLength);
  let text = '';
  for (let k = 0; k < bytes.length; k += 8192) text += String.fromCharCode(...bytes.subarray(k, k + 8192));
  return { trace: btoa(text), steps: r.stats.steps, rhsEvals: r.stats.rhsEvals };
}

/** A task turn of the page's event loop (the settle check's), `ms` long. */
const turn = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * An attribution pass: start recording every C allocation's stack — the backend's own tracking, else the harness's
 * probe's (as harness/probes.ts stands in for a module without sites in Node); false when neither can.
 */
async function track(): Promise<boolean> {
  const c = cell!;
  const own = c.backend as Partial<Backend>;
  if (typeof own.trackAllocationSites === 'function' && typeof own.allocationSites === 'function') return (await own.trackAllocationSites()) === true;
  c.probeTracks = c.probe?.trackSites() ?? false;
  return c.probeTracks;
}

/** The live C blocks by allocation stack and epoch (after track()). */
const sites = () => (cell!.probeTracks ? cell!.probe!.sites() : cell!.backend.allocationSites!());

/** Each WebAssembly linear memory in the page, with its module (an attribution pass's stores); [] without the probe. */
const memories = () => cell!.probe?.memories() ?? [];

(globalThis as { __leakbench?: unknown }).__leakbench = { describe, growth, start, iterate, probe, report, turn, checkedCall, track, sites, memories };
