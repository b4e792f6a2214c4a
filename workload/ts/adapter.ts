// The one small adapter between the C workload and the Backend contract. Both bindings (the Node-API addon and
// the emscripten module) implement WorkloadBinding — the same calls, the same argument order, the same result
// shapes — and this module turns any of them into a Backend: fixtures into ABI codes, raw results into
// SimulationResults or errors, the model table into ModelInfos.
import { findModel, SimulationError, UsageError } from '@leakbench/core/cell';
import type { Backend, BuildInfo, CHeapSites, Fixture, FixtureKind, OdeModelInfo, Probes, SimulateOptions, SimulationResult } from '@leakbench/core';
import { FIXTURE_KINDS, LIMITS, RETURN_CODES } from './abi.js';

/** One lb_simulate call's result as a binding returns it: every field always present. */
export interface RawSimulation {
  rc: number;
  message: string;
  flag: number;
  flagName: string;
  tReached: number;
  /** Row-major [t, ...states] rows; null unless rc is OK. A copy the caller owns. */
  trace: Float64Array | null;
  rows: number;
  cols: number;
  steps: number;
  rhsEvals: number;
  jacEvals: number;
  finalTime: number;
}

/** One model as the C side describes it (lb_model_info). */
export interface RawModel {
  id: string;
  title: string;
  stateNames: string[];
  stimStart: number;
  stimDuration: number;
  stimPeriod: number;
  stimAmplitude: number;
  defaultDuration: number;
  defaultLogInterval: number;
}

/** Build facts and the model table (lb_compiler … lb_allocator_name, lb_model_at). emccVersion is "" natively. */
export interface WorkloadDescription {
  build: Omit<BuildInfo, 'backend' | 'emccVersion' | 'mathLibrary'> & { emccVersion: string };
  models: RawModel[];
}

/** What a binding of the C workload exposes. Models are passed by index into describe().models. */
export interface WorkloadBinding {
  describe(): WorkloadDescription;
  simulate(model: number, durationMs: number, logIntervalMs: number, fixtureKind: number, fixtureBytes: number, fixturePeriod: number, maxSteps: number): RawSimulation;
  /** lb_fixture_supported: whether this build can carry a fixture kind (mmap is native only). */
  fixtureSupported(kind: number): boolean;
  /** lb_fixture_growth: a C shape's true growth per iteration, measured through its own allocation path; -1 if none
   * (for MALLOC: what allocatorBytes grows by for one live block of `bytes`). */
  fixtureGrowth(kind: number, bytes: number, period: number): number;
  /** lb_allocator_in_use: glibc's process-wide count natively, dlmalloc's in WASM. */
  allocatorBytes(): number;
  /** Bytes the module's own C code holds from malloc, exactly. */
  moduleHeapBytes(): number;
  /** Linear memory size; absent for native bindings. */
  wasmMemoryBytes?(): number;
  /** JS values kept alive by the object/list fixtures, and dropping them. */
  retainedCount(): number;
  releaseRetained(): number;
  /** Allocation-site tracking of the module's C heap, where the build offers it (Backend.trackAllocationSites). */
  trackAllocationSites?(): boolean | Promise<boolean>;
  allocationSites?(): CHeapSites;
}

const KIND_OF: Record<FixtureKind, number> = {
  none: FIXTURE_KINDS.NONE,
  object: FIXTURE_KINDS.OBJECT,
  list: FIXTURE_KINDS.LIST,
  malloc: FIXTURE_KINDS.MALLOC,
  every: FIXTURE_KINDS.EVERY,
  late: FIXTURE_KINDS.LATE,
  geometric: FIXTURE_KINDS.GEOMETRIC,
  new: FIXTURE_KINDS.CXX_NEW,
  strdup: FIXTURE_KINDS.STRDUP,
  memalign: FIXTURE_KINDS.MEMALIGN,
  mmap: FIXTURE_KINDS.MMAP,
  buffer: FIXTURE_KINDS.BUFFER,
  'js-array': FIXTURE_KINDS.JS_ARRAY,
  memo: FIXTURE_KINDS.MEMO,
  'bounded-cache': FIXTURE_KINDS.BOUNDED_CACHE,
  'init-once': FIXTURE_KINDS.INIT_ONCE,
  churn: FIXTURE_KINDS.CHURN,
  garbage: FIXTURE_KINDS.GARBAGE,
  deferred: FIXTURE_KINDS.DEFERRED,
};

/** The fixture as the C ABI takes it: kind code, size and period. */
export function fixtureToAbi(f: Fixture): { kind: number; bytes: number; period: number } {
  // Plain-JS callers may leave out parameters a kind does not take: they are 0 in the ABI.
  return { kind: KIND_OF[f.kind], bytes: f.bytes ?? 0, period: f.period ?? 0 };
}

/** Why a binding of the workload cannot run a fixture, or null. */
export function workloadFixtureProblem(f: Fixture, binding: Pick<WorkloadBinding, 'fixtureSupported'>): string | null {
  if (!binding.fixtureSupported(KIND_OF[f.kind])) return `this build cannot carry ${f.kind} (native only); the other zoo shapes run here`;
  if (f.bytes > LIMITS.MAX_FIXTURE_BYTES) {
    return `${f.bytes} bytes per iteration is absurd for a leak fixture; the CVODE workload accepts sizes 1..${LIMITS.MAX_FIXTURE_BYTES}`;
  }
  if (f.period > LIMITS.MAX_PERIOD) return `a period of ${f.period} iterations is beyond the workload's 1..${LIMITS.MAX_PERIOD}`;
  return null;
}

export function toModelInfo(m: RawModel): OdeModelInfo {
  return {
    id: m.id,
    title: m.title,
    stateNames: [...m.stateNames],
    defaultDurationMs: m.defaultDuration,
    defaultLogIntervalMs: m.defaultLogInterval,
    stimulus: { startMs: m.stimStart, durationMs: m.stimDuration, periodMs: m.stimPeriod, amplitude: m.stimAmplitude, unit: 'uA/cm2' },
  };
}

/** Throws the right error for a failed call (UsageError for bad options, SimulationError for CVODE). */
export function toSimulationResult(raw: RawSimulation, model: OdeModelInfo): SimulationResult {
  if (raw.rc === RETURN_CODES.E_ARGS) throw new UsageError(raw.message);
  if (raw.rc === RETURN_CODES.E_SOLVER) throw new SimulationError(`CVODE failed: ${raw.message}`, raw.flag, raw.flagName, raw.tReached);
  if (raw.rc !== RETURN_CODES.OK || !raw.trace) throw new Error(`workload error ${raw.rc}: ${raw.message}`);
  return {
    stateNames: model.stateNames,
    trace: raw.trace,
    rows: raw.rows,
    stats: { steps: raw.steps, rhsEvals: raw.rhsEvals, jacEvals: raw.jacEvals, finalTime: raw.finalTime },
  };
}

/** A Backend over a binding of the C workload. */
export function workloadBackend(binding: WorkloadBinding, meta: { id: string; description: string; mathLibrary: string }): Backend {
  const described = binding.describe();
  const models = described.models.map(toModelInfo);
  const info: BuildInfo = { ...described.build, backend: meta.id, emccVersion: described.build.emccVersion || null, mathLibrary: meta.mathLibrary };
  return {
    id: meta.id,
    description: meta.description,
    info: () => ({ ...info }),
    models: () => models,
    simulate(o: SimulateOptions): SimulationResult {
      const model = findModel(models, o.model) as OdeModelInfo;
      // Checked here too, not only when a run is planned: a size beyond 32 bits would wrap in WASM's size_t
      // before the C side could refuse it.
      const problem = workloadFixtureProblem(o.fixture, binding);
      if (problem) throw new UsageError(problem);
      const f = fixtureToAbi(o.fixture);
      // An ODE model always has a protocol: its defaults when a caller gives none.
      const durationMs = o.durationMs ?? model.defaultDurationMs;
      const logIntervalMs = o.logIntervalMs ?? Math.min(model.defaultLogIntervalMs, durationMs);
      const raw = binding.simulate(models.indexOf(model), durationMs, logIntervalMs, f.kind, f.bytes, f.period, o.maxSteps ?? LIMITS.DEFAULT_MAX_STEPS);
      return toSimulationResult(raw, model);
    },
    probe: (): Probes => ({ allocatorBytes: binding.allocatorBytes(), moduleHeapBytes: binding.moduleHeapBytes(), wasmMemoryBytes: binding.wasmMemoryBytes?.() ?? null }),
    fixtureProblem: (f: Fixture) => workloadFixtureProblem(f, binding),
    fixtureGrowth(f: Fixture): number | null {
      // A Buffer's payload lands in arrayBuffers byte for byte; C shapes are measured in C; the rest cannot be.
      if (f.kind === 'buffer') return f.bytes;
      const a = fixtureToAbi(f);
      const g = binding.fixtureGrowth(a.kind, a.bytes, a.period);
      return g >= 0 ? g : null;
    },
    allocatorBlockGrowth: (bytes: number) => binding.fixtureGrowth(FIXTURE_KINDS.MALLOC, bytes, 0),
    retainedCount: () => binding.retainedCount(),
    releaseRetained: () => binding.releaseRetained(),
    ...(binding.trackAllocationSites && binding.allocationSites
      ? { trackAllocationSites: () => binding.trackAllocationSites!(), allocationSites: () => binding.allocationSites!() }
      : {}),
  };
}
