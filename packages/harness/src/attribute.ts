// The attribution pass: where a cell's growth is. The cell runs again in a fresh process of the same host profile
// with the same spec, and takes V8 heap snapshots after the warm-up, after N and after 2N more iterations
// (memlab's baseline/target/final) and, where the backend offers it, its C heap's live blocks by allocation
// stack at the same points; @leakbench/attribution compares them. A separate pass, so that the measured
// series never carries a snapshot's own allocations and pauses.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ATTRIBUTION_SCHEMA, lastIteration, readSamples, runPaths, UsageError, writeAttribution } from '@leakbench/core';
import type { Attribution, CellRecord, CellSpec, RunManifest } from '@leakbench/core';
import type { DefinedAt } from '@leakbench/attribution';
import { attributeCHeap, attributeJsHeap, growingStores } from '@leakbench/attribution';
import { endStatus, processFiles, startCellProcess } from './cell-process.js';
import { gitCommit } from './environment.js';

import { originalPosition } from '@leakbench/browser-host';
import { C_HEAP_WHY_NOT, cHeapFile, PAGE_SOURCES, snapshotFile, snapshotPoints, storesFile } from './attribute-files.js';

export interface AttributeOptions {
  /** Path of the worker entry script (see worker.ts). */
  worker: string;
  env?: NodeJS.ProcessEnv;
  /** Iterations of the pass (default: the cell's). */
  iterations?: number;
  onProgress?: (done: number) => void;
}

/**
 * A page's bundled scripts (PAGE_SOURCES): each JS group's definition moved from the bundle (its URL on the page's
 * origin) to the source file and line it was built from — sql.js's statement class at node_modules/sql.js/dist/
 * sql-wasm.js, as a Node pass finds it, not at backend/sql-js.page.js. A position without a mapping stays as it was.
 */
function inSources<T extends { js: { sites: { definedAt: DefinedAt | null }[] } }>(adir: string, found: T): T {
  const file = join(adir, PAGE_SOURCES);
  if (!existsSync(file)) return found;
  const maps = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const moved = (at: DefinedAt | null): DefinedAt | null => {
    if (!at?.script) return at;
    let path: string;
    try {
      path = new URL(at.script).pathname;
    } catch {
      return at;
    }
    const map = maps[path];
    const p = map && existsSync(map) ? originalPosition(map, at.line, at.column) : null;
    return p ? { script: p.source, line: p.line, column: p.column } : at;
  };
  return { ...found, js: { ...found.js, sites: found.js.sites.map((s) => ({ ...s, definedAt: moved(s.definedAt) })) } };
}

/** Analyses the pass's snapshots in `dir` and stores attribution.json; `startedAt` times the whole pass. */
async function analyseSnapshots(dir: string, spec: CellSpec, startedAt: number): Promise<Attribution> {
  const adir = runPaths(dir).attributionDir(spec.id);
  const points = snapshotPoints(spec);
  const js = inSources(adir, await attributeJsHeap(points.map((i) => ({ file: join(adir, snapshotFile(i)), iteration: i }))));
  const cFiles = points.map((i) => ({ file: join(adir, cHeapFile(i)), iteration: i }));
  const c = cFiles.every((f) => existsSync(f.file)) ? attributeCHeap(cFiles) : null;
  const whyNot = join(adir, C_HEAP_WHY_NOT);
  const cNotRecorded = c ? null : existsSync(whyNot) ? readFileSync(whyNot, 'utf8').trim() : 'the pass recorded no C heap sites (an older pass: it did not say why)';
  const storeFiles = points.map((i) => ({ file: join(adir, storesFile(i)), iteration: i }));
  const stores = storeFiles.every((f) => existsSync(f.file)) ? growingStores(storeFiles.map((f) => ({ iteration: f.iteration, memories: JSON.parse(readFileSync(f.file, 'utf8')) }))) : [];
  const attribution: Attribution = {
    schema: ATTRIBUTION_SCHEMA,
    cellId: spec.id,
    createdAt: new Date().toISOString(),
    commit: gitCommit(),
    iterations: spec.iterations,
    ...js,
    c,
    cNotRecorded,
    stores,
    wallMs: Date.now() - startedAt,
  };
  writeAttribution(dir, attribution);
  return attribution;
}

/** Runs the attribution pass of one cell of a run and stores cells/<id>/attribution.json. */
export async function attributeCell(dir: string, manifest: RunManifest, cell: CellRecord, o: AttributeOptions): Promise<Attribution> {
  // A sequential cell's pass runs as far as the cell did (its looks judged no further), and runs to the end.
  const ran = cell.spec.sequential ? lastIteration(readSamples(runPaths(dir).samples(cell.spec.id)).samples) : cell.spec.iterations;
  const spec: CellSpec = { ...cell.spec, iterations: o.iterations ?? ran, sequential: null };
  snapshotPoints(spec); // bad input before a process starts
  const t0 = Date.now();
  const files = processFiles(dir, spec.id, 'attribute');
  rmSync(files.dir, { recursive: true, force: true }); // a pass is whole or redone, never mixed with an earlier one
  const proc = startCellProcess(dir, spec, {
    worker: o.worker,
    host: manifest.options.host,
    // Snapshots add a few tenths of a second each to the cell's own time.
    timeoutS: manifest.options.cellTimeoutS * 2,
    env: o.env,
    onProgress: o.onProgress,
    mode: 'attribute',
  });
  const end = await proc.ended;
  const status = endStatus(end, false);
  if (status !== 'ok') throw new Error(`attribution pass of ${spec.id} ended ${status}${end.error ? `: ${end.error}` : ''} (see ${files.stderr})`);
  return analyseSnapshots(dir, spec, t0);
}

/** Re-analyses the snapshots an earlier pass left (no re-run); null when they are not all there. */
export async function reattributeCell(dir: string, cell: CellRecord, iterations: number): Promise<Attribution | null> {
  const spec: CellSpec = { ...cell.spec, iterations };
  const adir = runPaths(dir).attributionDir(spec.id);
  if (!snapshotPoints(spec).every((i) => existsSync(join(adir, snapshotFile(i))))) return null;
  return analyseSnapshots(dir, spec, Date.now());
}
