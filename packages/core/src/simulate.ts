// `leakbench simulate`: one run of the workload, formatted as CSV or JSON.
import type { Backend, SimulationResult } from './backend.js';
import { parseFixture } from './fixtures.js';
import { UsageError } from './errors.js';
import { findModel } from './workload.js';

export interface SimulateRequest {
  model: string;
  durationMs?: number;
  logIntervalMs?: number;
  fixture?: string;
  maxSteps?: number;
}

export function runSimulation(backend: Backend, req: SimulateRequest): SimulationResult {
  const model = findModel(backend.models(), req.model);
  const durationMs = req.durationMs ?? model.defaultDurationMs;
  const logIntervalMs = req.logIntervalMs ?? model.defaultLogIntervalMs;
  if (!(durationMs > 0) || !Number.isFinite(durationMs)) throw new UsageError(`--duration must be a positive number of ms (got ${durationMs})`);
  if (!(logIntervalMs > 0) || !Number.isFinite(logIntervalMs)) throw new UsageError(`--log-interval must be a positive number of ms (got ${logIntervalMs})`);
  if (logIntervalMs > durationMs) throw new UsageError(`--log-interval (${logIntervalMs}) must not exceed --duration (${durationMs})`);
  return backend.simulate({ model: model.id, durationMs, logIntervalMs, fixture: parseFixture(req.fixture ?? 'none'), maxSteps: req.maxSteps });
}

/** Rows of [t, ...states] as arrays. */
export function traceRows(r: SimulationResult): number[][] {
  const cols = r.stateNames.length + 1;
  return Array.from({ length: r.rows }, (_, i) => Array.from(r.trace.subarray(i * cols, (i + 1) * cols)));
}

export function formatCsv(r: SimulationResult): string {
  const lines = [['t', ...r.stateNames].join(',')];
  for (const row of traceRows(r)) lines.push(row.map((v) => String(v)).join(','));
  const s = r.stats;
  lines.push(`# steps=${s.steps} rhsEvals=${s.rhsEvals} jacEvals=${s.jacEvals} finalTime=${s.finalTime}`);
  return lines.join('\n') + '\n';
}

export function formatJson(r: SimulationResult, backend: Backend, model: string): string {
  return JSON.stringify({ backend: backend.id, model, build: backend.info(), stats: r.stats, columns: ['t', ...r.stateNames], rows: traceRows(r) }) + '\n';
}
