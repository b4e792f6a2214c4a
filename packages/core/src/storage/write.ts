// The write side of run storage: atomic JSON files and append-only sample streams, so that a crash or Ctrl-C
// never leaves half a file and loses at most the sample being written.
import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ATTRIBUTION_SCHEMA, RUN_SCHEMA, VERDICT_SCHEMA } from '../schema-ids.js';
import type { Attribution, CellVerdict, RunManifest, Sample } from '../schema.js';
import { runPaths } from './paths.js';

/** Writes a file via a temporary one and rename, so readers (other processes too) never see half a file. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Writes JSON via a temporary file and rename, so readers never see half a file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Appends one sample per line with one write() each: a crash loses at most the line being written. */
export class SampleWriter {
  private fd: number;
  count = 0;
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
  }
  write(sample: Sample): void {
    writeSync(this.fd, JSON.stringify(sample) + '\n');
    this.count++;
  }
  close(): void {
    closeSync(this.fd);
  }
}

export function writeManifest(dir: string, manifest: RunManifest): void {
  writeJsonAtomic(runPaths(dir).manifest, { ...manifest, schema: RUN_SCHEMA, updatedAt: new Date().toISOString() });
}

export function writeVerdict(dir: string, verdict: CellVerdict): void {
  writeJsonAtomic(runPaths(dir).verdict(verdict.cellId), { ...verdict, schema: VERDICT_SCHEMA });
}

export function writeAttribution(dir: string, attribution: Attribution): void {
  writeJsonAtomic(runPaths(dir).attribution(attribution.cellId), { ...attribution, schema: ATTRIBUTION_SCHEMA });
}
