// The C workload's calling conventions (workload/include/leakbench_workload.h), shared by every backend
// that compiles it: fixture codes, return codes, and turning a raw C result into a SimulationResult.
import type { ModelInfo, SimulationResult } from './backend.js';
import { SimulationError } from './backend.js';
import { UsageError } from './errors.js';
import type { Fixture } from './fixtures.js';

export const LB_OK = 0;
const LB_E_ARGS = 1;
const LB_E_SOLVER = 2;

const FIXTURE_CODES = { none: 0, object: 1, list: 2, malloc: 3 } as const;

/** The fixture as the C ABI takes it: kind code and malloc bytes. */
export function fixtureToC(f: Fixture): { kind: number; bytes: number } {
  return { kind: FIXTURE_CODES[f.kind], bytes: f.kind === 'malloc' ? f.bytes : 0 };
}

/** What a binding returns from one lb_simulate call, before interpretation. */
export interface RawSimulation {
  rc: number;
  message: string;
  flag: number;
  flagName: string;
  tReached: number;
  trace?: Float64Array;
  rows?: number;
  cols?: number;
  steps?: number;
  rhsEvals?: number;
  jacEvals?: number;
  finalTime?: number;
}

/** Model facts as the C side describes them. */
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

export function toModelInfo(m: RawModel): ModelInfo {
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
export function toSimulationResult(raw: RawSimulation, model: ModelInfo): SimulationResult {
  if (raw.rc === LB_E_ARGS) throw new UsageError(raw.message);
  if (raw.rc === LB_E_SOLVER) {
    throw new SimulationError(`CVODE failed: ${raw.message}`, raw.flag, raw.flagName, raw.tReached);
  }
  if (raw.rc !== LB_OK || !raw.trace) throw new Error(`workload error ${raw.rc}: ${raw.message}`);
  return {
    stateNames: model.stateNames,
    trace: raw.trace,
    rows: raw.rows!,
    stats: { steps: raw.steps!, rhsEvals: raw.rhsEvals!, jacEvals: raw.jacEvals!, finalTime: raw.finalTime! },
  };
}

/** Looks a model up or throws a UsageError naming the accepted ids. */
export function findModel(models: ModelInfo[], id: string): ModelInfo {
  const m = models.find((x) => x.id === id);
  if (!m) throw new UsageError(`unknown model '${id}'; accepted: ${models.map((x) => x.id).join(', ')}`);
  return m;
}

/** Default CVODE step budget per output interval; lower it (simulate --max-steps) to provoke a failure. */
export const DEFAULT_MAX_STEPS = 100_000;
