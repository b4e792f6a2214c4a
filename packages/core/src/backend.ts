// The one contract between the harness and a backend. A backend package implements it and nothing
// outside that package knows how the simulation is compiled or called.
import { UsageError } from './errors.js';
import type { BuildInfo } from './schema.js';
import type { Fixture } from './fixtures.js';

export type { BuildInfo };

/**
 * One workload a backend can run per iteration (what `--models` selects). Only `id` is required; the rest describes
 * an ODE model (leakbench's own backends) and is shown only where given.
 */
export interface ModelInfo {
  id: string;
  title?: string;
  stateNames?: string[];
  /** Default protocol: simulated duration (ms) and log interval (ms). */
  defaultDurationMs?: number;
  defaultLogIntervalMs?: number;
  stimulus?: { startMs: number; durationMs: number; periodMs: number; amplitude: number; unit: string };
}

/** An ODE model: a workload with its protocol (leakbench's own backends). */
export type OdeModelInfo = Required<ModelInfo>;

export interface SimulateOptions {
  model: string;
  /** The protocol of an ODE model; null for a workload without one. */
  durationMs: number | null;
  logIntervalMs: number | null;
  fixture: Fixture;
  /** CVODE step budget per output interval (default 100000). */
  maxSteps?: number;
}

export interface SolverStats {
  steps: number;
  rhsEvals: number;
  jacEvals: number;
  /** Time (ms) CVODE reached; equals durationMs on success. */
  finalTime: number;
}

export interface SimulationResult {
  stateNames: string[];
  /** Row-major trace: one row per logged time, columns [t, ...states]. Freshly allocated per call. */
  trace: Float64Array;
  rows: number;
  stats: SolverStats;
}

export interface Probes {
  /** Bytes the backend's C allocator has handed out and not got back (null: not measurable). */
  allocatorBytes: number | null;
  /**
   * Bytes the module's own C code holds from malloc, exactly (the native addon wraps its malloc family; in WASM
   * this is dlmalloc's count, the module's whole heap). Optional: null or absent when not measurable.
   */
  moduleHeapBytes?: number | null;
  /** WASM linear memory size in bytes (null for non-WASM backends). */
  wasmMemoryBytes: number | null;
  /**
   * Optional: bytes of array buffers the probes themselves hold (a table of live blocks): left out of the
   * array-buffer and external layers, which would otherwise count the instrument's growth as the module's.
   */
  ownArrayBufferBytes?: number;
  /**
   * Optional: bytes of every table the probes themselves hold, wherever it lives (array buffers, the malloc
   * interposer's table): left out of the page layers (RSS, VMS), which would otherwise count the instrument's
   * growth — tens of bytes per live block — as memory nothing else explains.
   */
  ownBytes?: number;
}

/** Live C heap blocks of one allocation stack that were allocated in one epoch (see Backend.allocationSites). */
export interface CHeapSiteCount {
  /** Index into CHeapSites.stacks. */
  stack: number;
  /** How many allocationSites() calls came before these blocks were allocated (0: before the first). */
  epoch: number;
  blocks: number;
  /** Bytes as the backend's module heap probe counts them (e.g. malloc_usable_size). */
  bytes: number;
}

/** The live C heap blocks of the module, by allocation stack and epoch. */
export interface CHeapSites {
  /**
   * Allocation stacks, innermost frame first. A frame is '<path of an ELF module>+0x<offset>' (a return address:
   * looked up one byte before, inside the call), '<path of a .wasm module>@0x<offset>' (the call's own position
   * in the module file, as V8's stack traces give it), or text the backend already symbolised. Both forms are
   * symbolised by leakbench with llvm-symbolizer through the module's DWARF. Leading frames of the allocator
   * itself (link-time wrappers named __wrap_*, the malloc family, operator new) are dropped. An empty stack:
   * blocks allocated while tracking was off.
   */
  stacks: string[][];
  sites: CHeapSiteCount[];
}

export interface Backend {
  readonly id: string;
  readonly description: string;
  /**
   * Optional: where this backend's cells run — 'node' (absent: in the cell's own Node process) or 'chromium' (a page
   * of headless Chromium, which the cell's process drives; then pageBuild() says what the page loads).
   */
  readonly host?: 'node' | 'chromium';
  /**
   * With host 'chromium': the backend's page build — files served side by side, one of them (`entry`) an ES module
   * whose `load()` returns this backend inside the page. Throws when it is not built.
   */
  pageBuild?(): { entry: string; files: Record<string, string> };
  info(): BuildInfo;
  models(): ModelInfo[];
  /** One full lifecycle: create, integrate, log, free, plus the fixture's leak. Throws SimulationError. */
  simulate(options: SimulateOptions): SimulationResult;
  probe(): Probes;
  /**
   * Optional: why this backend cannot run `fixture` (a size beyond its limit, a kind it cannot carry), or null
   * when it can. Asked before any cell starts, so the answer reaches the user as bad input (exit 2).
   */
  fixtureProblem?(fixture: Fixture): string | null;
  /**
   * Optional: what one iteration of `fixture` truly adds to the layer the zoo catalogues it in (measured, e.g.
   * in C through the shape's own allocation path), or null when it cannot be measured — the truth calibration
   * compares its estimates with.
   */
  fixtureGrowth?(fixture: Fixture): number | null;
  /**
   * Optional: what the allocator probe grows by for one live block of `bytes` (malloc, measure, free in C) — the
   * true per-block cost calibration compares its estimates with.
   */
  allocatorBlockGrowth?(bytes: number): number | null;
  /**
   * Optional, with allocationSites: start recording the allocation stack of every C heap block the module
   * allocates from now on. Attribution passes call it before their first iteration (it costs time per allocation;
   * measured cells never call it). Returns (or resolves to) false when this build cannot.
   */
  trackAllocationSites?(): boolean | Promise<boolean>;
  /** Optional: the module's live C heap blocks by allocation stack and epoch; each call starts a new epoch. */
  allocationSites?(): CHeapSites;
  /** Optional: number of JS values fixtures retain right now. */
  retainedCount?(): number;
  /** Optional: drops every JS value retained by fixtures (C fixtures stay leaked by design). Returns how many. */
  releaseRetained?(): number;
}

/**
 * What a backend module exports: `export async function load(options): Promise<Backend>` (or a default with load),
 * and optionally `export const options = { <name>: '<what it sets>' }`, the options it accepts from the command line
 * (`--option <name>=<value>`; each reaches load as a string).
 */
export interface BackendModule {
  load(options?: Record<string, string>): Promise<Backend>;
  options?: Record<string, string>;
}

/** A CVODE (or other solver) failure inside simulate: names the flag and the time reached. */
export class SimulationError extends Error {
  constructor(
    message: string,
    readonly flag: number,
    readonly flagName: string,
    readonly timeReached: number,
  ) {
    super(message);
    this.name = 'SimulationError';
  }
}

/** The minimal contract of a user's backend: an id and one iteration of work (see asBackend). */
export interface MinimalBackend {
  id: string;
  description?: string;
  /** One iteration of the workload `workload` (the only one, or what `--models` selected), with the cell's fixture. */
  iterate(context: { workload: string; fixture: Fixture }): unknown;
  /** The workloads it can run (what `--models` selects); one named 'default' when absent. */
  workloads?: { id: string; title?: string }[];
}

/** The workload of a backend that declares none. */
export const DEFAULT_WORKLOAD = 'default';

const OPTIONAL_METHODS = ['info', 'models', 'probe', 'fixtureProblem', 'fixtureGrowth', 'allocatorBlockGrowth', 'trackAllocationSites', 'allocationSites', 'retainedCount', 'releaseRetained'] as const;

/**
 * Lists what `candidate` lacks to be a backend (empty when it is one): an id and one iteration of work — simulate()
 * (the full contract) or iterate() (the minimal one) — and, where given, the optional methods as functions.
 */
export function backendProblems(candidate: unknown): string[] {
  if (typeof candidate !== 'object' || candidate === null) return ['load() did not return an object'];
  const b = candidate as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof b.id !== 'string' || !b.id) problems.push('id (non-empty string)');
  if (typeof b.simulate !== 'function' && typeof b.iterate !== 'function') problems.push('iterate() (one iteration of work) or simulate()');
  if (b.simulate !== undefined && typeof b.simulate !== 'function') problems.push('simulate() as a function');
  for (const m of OPTIONAL_METHODS) if (b[m] !== undefined && typeof b[m] !== 'function') problems.push(`${m}() as a function (or left out)`);
  if (b.workloads !== undefined && !(Array.isArray(b.workloads) && b.workloads.length > 0 && b.workloads.every((w) => typeof (w as { id?: unknown })?.id === 'string'))) problems.push('workloads as a non-empty list of { id }');
  return problems;
}

const EMPTY_RESULT: SimulationResult = { stateNames: [], trace: new Float64Array(0), rows: 0, stats: { steps: 0, rhsEvals: 0, jacEvals: 0, finalTime: 0 } };

/**
 * The full Backend for a checked candidate (backendProblems empty): what it leaves out filled with what says "not
 * given" — no build facts, one workload, probes that measure nothing (the harness measures what it can itself).
 */
export function asBackend(candidate: Backend | (MinimalBackend & Partial<Backend>)): Backend {
  const b = candidate as MinimalBackend & Partial<Backend>;
  const workloads: ModelInfo[] = b.models ? b.models() : (b.workloads?.map((w) => ({ id: w.id, ...(w.title ? { title: w.title } : {}) })) ?? [{ id: DEFAULT_WORKLOAD, title: b.description ?? b.id }]);
  const simulate = b.simulate
    ? b.simulate.bind(b)
    : (o: SimulateOptions): SimulationResult => {
        b.iterate({ workload: o.model, fixture: o.fixture });
        return EMPTY_RESULT;
      };
  return new Proxy(b as Backend, {
    get(target, key) {
      if (key === 'description') return target.description ?? `user module ${target.id}`;
      if (key === 'models') return () => (target.models ? target.models() : workloads);
      if (key === 'simulate') return simulate;
      if (key === 'info')
        return target.info
          ? target.info.bind(target)
          : () => ({ backend: target.id, compiler: 'not given', compilerVersion: 'not given', emccVersion: null, sundialsVersion: 'not given', optFlags: 'not given', allocator: 'not given', mathLibrary: null });
      if (key === 'probe') return target.probe ? target.probe.bind(target) : () => ({ allocatorBytes: null, wasmMemoryBytes: null });
      // A module that only iterates runs its own work: leakbench's deliberate leaks need the full contract's simulate().
      if (key === 'fixtureProblem' && !target.fixtureProblem && !target.simulate)
        return (f: Fixture) => (f.kind === 'none' ? null : "it runs its own work (iterate()); leakbench's fixtures other than none need simulate() (the full contract)");
      const v = Reflect.get(target, key) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Looks a model up or throws a UsageError naming the accepted ids. */
export function findModel(models: ModelInfo[], id: string): ModelInfo {
  const m = models.find((x) => x.id === id);
  if (!m) throw new UsageError(`unknown model '${id}'; accepted: ${models.map((x) => x.id).join(', ')}`);
  return m;
}

/** Throws a UsageError when `backend` says it cannot run `fixture` (`id` as the user wrote it). */
export function checkFixture(backend: Backend, id: string, fixture: Fixture): void {
  const problem = backend.fixtureProblem?.(fixture) ?? null;
  if (problem) throw new UsageError(`fixture '${id}' on backend '${backend.id}': ${problem}`);
}
