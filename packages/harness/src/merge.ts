// Joining shard runs (`run --shard k/n`, one per CI matrix job, say) into one run that `check`, `analyse` and
// `report` accept as if it had run whole. Every cell's directory (series, verdict, attribution, logs) is copied as
// it is — nothing recorded is dropped or recomputed. Refused, saying why, when the shards are not of one request:
// a run that is not a shard, options that differ, a shard given twice or missing (named, with its cells), code of
// different commits (unless allowed: then each shard's commit stays on record).
import { cpSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readManifest, runPaths, UsageError, writeManifest, type RunManifest } from '@leakbench/core';
import { checkOutDir } from './plan.js';

export interface MergeOptions {
  /** Join shards whose code came from different commits (each shard's commit is kept in `merged`). */
  allowMixed?: boolean;
}

/** The options that make two shards parts of one request (how many jobs a runner used does not). */
function request(m: RunManifest) {
  const { jobs: _jobs, cellTimeoutS: _timeout, shard, ...rest } = m.options;
  return { ...rest, shards: shard?.count, matrix: shard?.matrix };
}

const shardName = (s: { index: number; count: number }) => `${s.index}/${s.count}`;

export function mergeRuns(dirs: string[], out: string, opts: MergeOptions = {}): RunManifest {
  if (dirs.length === 0) throw new UsageError('merge needs the shard runs to join');
  const runs = dirs.map((d) => ({ dir: resolve(d), manifest: readManifest(resolve(d)) }));
  for (const r of runs) {
    if (!r.manifest.options.shard) throw new UsageError(`${r.dir} is a whole run, not a shard (made without --shard k/n): merge joins the shards of one run`);
  }
  const first = runs[0]!;
  const want: Record<string, unknown> = request(first.manifest);
  for (const r of runs.slice(1)) {
    const got: Record<string, unknown> = request(r.manifest);
    const differ = Object.keys({ ...want, ...got }).filter((k) => JSON.stringify(want[k]) !== JSON.stringify(got[k]));
    if (differ.length) throw new UsageError(`${r.dir} is a shard of another request than ${first.dir}: its ${differ.join(', ')} differ`);
  }
  const { count, matrix } = first.manifest.options.shard!;
  const byIndex = new Map<number, string>();
  for (const r of runs) {
    const { index } = r.manifest.options.shard!;
    const twice = byIndex.get(index);
    if (twice !== undefined) throw new UsageError(`shard ${index}/${count} is given twice: ${twice} and ${r.dir}`);
    byIndex.set(index, r.dir);
  }
  const missing = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !byIndex.has(k));
  if (missing.length) {
    const cellsOf = (k: number) => matrix.filter((_, i) => i % count === k - 1).join(', ');
    throw new UsageError(`missing ${missing.map((k) => `shard ${k}/${count} (cells: ${cellsOf(k)})`).join('; ')}`);
  }
  const commits = new Set(runs.map((r) => r.manifest.environment.commit));
  if (commits.size > 1 && !opts.allowMixed) {
    throw new UsageError(`the shards ran different code (commits ${runs.map((r) => `${r.manifest.environment.commit ?? 'unknown'} in ${r.dir}`).join(', ')}); --allow-mixed joins them anyway`);
  }
  const cells = runs.flatMap((r) => r.manifest.cells.map((c) => ({ cell: c, from: r.dir })));
  const stray = cells.filter((c) => !matrix.includes(c.cell.spec.id));
  if (stray.length) throw new UsageError(`${stray[0]!.from} holds cell '${stray[0]!.cell.spec.id}', which is not in the matrix its shard was cut from`);
  const absent = matrix.filter((id) => !cells.some((c) => c.cell.spec.id === id));
  if (absent.length) throw new UsageError(`no shard holds cell(s) ${absent.join(', ')} of the matrix`);

  const target = resolve(out);
  checkOutDir(target);
  for (const { cell, from } of cells) {
    const src = runPaths(from).cellDir(cell.spec.id);
    if (existsSync(src)) cpSync(src, runPaths(target).cellDir(cell.spec.id), { recursive: true });
  }
  const order = (id: string) => matrix.indexOf(id);
  const now = new Date().toISOString();
  const manifest: RunManifest = {
    ...first.manifest,
    id: `merged-${now.replace(/[:.]/g, '-')}`,
    createdAt: runs.map((r) => r.manifest.createdAt).sort()[0]!,
    updatedAt: now,
    options: { ...first.manifest.options, shard: null },
    cells: cells.map((c) => c.cell).sort((a, b) => order(a.spec.id) - order(b.spec.id)),
    merged: [...runs]
      .sort((a, b) => a.manifest.options.shard!.index - b.manifest.options.shard!.index)
      .map((r) => ({ dir: r.dir, shard: shardName(r.manifest.options.shard!), id: r.manifest.id, environment: r.manifest.environment })),
  };
  writeManifest(target, manifest);
  return manifest;
}
