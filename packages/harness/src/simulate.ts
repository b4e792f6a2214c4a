// One run of the workload outside a cell (`leakbench simulate`): the model's defaults filled in and every option
// checked before the backend is called.
import { checkFixture, findModel, parseFixture, UsageError } from '@leakbench/core';
import type { Backend, SimulationResult } from '@leakbench/core';

export interface SimulateRequest {
  model: string;
  durationMs?: number;
  logIntervalMs?: number;
  fixture?: string;
  maxSteps?: number;
}

export function runSimulation(backend: Backend, req: SimulateRequest): SimulationResult {
  const model = findModel(backend.models(), req.model);
  const durationMs = req.durationMs ?? model.defaultDurationMs ?? null;
  const logIntervalMs = req.logIntervalMs ?? model.defaultLogIntervalMs ?? durationMs;
  if (durationMs !== null && !(durationMs > 0 && Number.isFinite(durationMs))) throw new UsageError(`--duration must be a positive number of ms (got ${durationMs})`);
  if (logIntervalMs !== null && !(logIntervalMs > 0 && Number.isFinite(logIntervalMs))) throw new UsageError(`--log-interval must be a positive number of ms (got ${logIntervalMs})`);
  if (durationMs !== null && logIntervalMs !== null && logIntervalMs > durationMs) throw new UsageError(`--log-interval (${logIntervalMs}) must not exceed --duration (${durationMs})`);
  const fixtureId = req.fixture ?? 'none';
  const fixture = parseFixture(fixtureId);
  checkFixture(backend, fixtureId, fixture);
  return backend.simulate({ model: model.id, durationMs, logIntervalMs, fixture, maxSteps: req.maxSteps });
}
