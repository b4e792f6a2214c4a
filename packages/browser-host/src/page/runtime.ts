// The page's side of a browser cell: loads the backend's page build (an ES module exporting `load(): Promise<Backend>`,
// e.g. @leakbench/wasm-cvode's web/backend.js) and gives the driver (../cell.ts) its calls over the DevTools
// protocol: start, one timed iteration, the backend's probes, a turn of the event loop, one call with its whole trace
// (the bench's check), and an attribution pass's allocation sites. Served as a plain script; it imports types only.
import type { Backend, BuildInfo, SimulateOptions } from '@leakbench/core';

interface PageCell {
  backend: Backend;
  opts: SimulateOptions;
}

let cell: PageCell | null = null;

async function start(entry: string, opts: SimulateOptions): Promise<{ build: BuildInfo; models: string[] }> {
  const mod = (await import(entry)) as { load?: () => Promise<Backend>; default?: { load?: () => Promise<Backend> } };
  const load = mod.load ?? mod.default?.load;
  if (typeof load !== 'function') throw new Error(`${entry} does not export load(): Promise<Backend>`);
  const backend = await load();
  const models = backend.models().map((m) => m.id);
  if (!models.includes(opts.model)) throw new Error(`the page's backend has no model '${opts.model}'; it has: ${models.join(', ')}`);
  cell = { backend, opts };
  return { build: backend.info(), models };
}

/**
 * One iteration, timed by the page's clock (5 µs steps in a cross-origin isolated page); returns nanoseconds.
 * Synchronous, and the result dropped at once: nothing of the iteration survives to the GC before the sample.
 */
function iterate(): number {
  const c = cell!;
  const t = performance.now();
  c.backend.simulate(c.opts);
  return Math.round((performance.now() - t) * 1e6);
}

const probe = () => cell!.backend.probe();

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

/** An attribution pass: start recording every C allocation's stack (false: this build cannot). */
const track = async () => (await cell!.backend.trackAllocationSites?.()) === true && typeof cell!.backend.allocationSites === 'function';

/** The live C blocks by allocation stack and epoch (after track()). */
const sites = () => cell!.backend.allocationSites!();

(globalThis as { __leakbench?: unknown }).__leakbench = { start, iterate, probe, turn, checkedCall, track, sites };
