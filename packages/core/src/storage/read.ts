// The read side of run storage: every file validated against its schema; errors name the file (and line), and
// are bad input (exit code 2).
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { z } from 'zod';
import { UsageError } from '../errors.js';
import { Attribution, BenchResult, CalibrationResult, CellVerdict, RunManifest, Sample } from '../schema.js';
import type { CellRecord } from '../schema.js';
import { CALIBRATION_EXTRA, runPaths } from './paths.js';

/** A run directory (or file in it) that is missing, incomplete or fails its schema. Exit code 2. */
export class RunDataError extends UsageError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'RunDataError';
  }
}

function describeZod(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/** Reads a JSON file and validates it; errors name the file. */
export function readJsonFile<T>(path: string, schema: z.ZodType<T>, what: string): T {
  if (!existsSync(path)) throw new RunDataError(path, `${what} not found`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new RunDataError(path, `${what} is not valid JSON (${(e as Error).message})`);
  }
  const schemaField = (data as { schema?: unknown })?.schema;
  if (typeof schemaField === 'string' && schemaField.startsWith('leakbench/')) {
    const expected = (schema as unknown as { shape?: { schema?: { value?: string } } }).shape?.schema?.value;
    if (expected && schemaField !== expected) {
      throw new RunDataError(path, `unknown schema version '${schemaField}'; this leakbench reads '${expected}'`);
    }
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new RunDataError(path, `${what} fails its schema: ${describeZod(parsed.error)}`);
  return parsed.data;
}

export interface SamplesRead {
  samples: Sample[];
  /** True when the last line was cut off (the process died mid-write); that line is dropped. */
  truncatedTail: boolean;
}

/** Bytes read from a samples file at a time: reading never holds the file as one string (V8 caps strings at 512 MB;
 * a million-iteration cell writes ~0.5 GB). */
const READ_CHUNK = 1 << 20;

/** The bytes of a samples file in chunks: `samples.ndjson`, or its gzip-compressed form `<path>.gz` inflated whole. */
function* fileChunks(path: string): Generator<Buffer> {
  if (!existsSync(path)) {
    yield gunzipSync(readFileSync(`${path}.gz`));
    return;
  }
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) yield buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** The lines of a samples file; a last line without its newline is `cut` (the writer died mid-line, or not). */
function* fileLines(path: string): Generator<{ text: string; cut: boolean }> {
  let carry: Buffer | null = null; // the start of a line that the chunk boundary cut (copied: chunks reuse a buffer)
  for (const chunk of fileChunks(path)) {
    let start = 0;
    for (let k = chunk.indexOf(LF); k !== -1; k = chunk.indexOf(LF, start)) {
      const part = chunk.subarray(start, k);
      yield { text: (carry ? Buffer.concat([carry, part]) : part).toString('utf8'), cut: false };
      carry = null;
      start = k + 1;
    }
    if (start < chunk.length) carry = Buffer.concat(carry ? [carry, chunk.subarray(start)] : [chunk.subarray(start)]);
  }
  if (carry) yield { text: carry.toString('utf8'), cut: true };
}
const LF = 10;

/** Whether a cell's samples are stored, plain or compressed (`samples.ndjson.gz`). */
export const samplesExist = (path: string): boolean => existsSync(path) || existsSync(`${path}.gz`);

/**
 * Reads a sample stream, a line at a time (memory: the samples, not the file). A corrupt line that is not the
 * last one is an error naming file and line.
 */
export function readSamples(path: string): SamplesRead {
  if (!samplesExist(path)) return { samples: [], truncatedTail: false };
  const samples: Sample[] = [];
  let truncatedTail = false;
  let k = 0;
  for (const { text, cut } of fileLines(path)) {
    k++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      if (cut) {
        truncatedTail = true;
        break;
      }
      throw new RunDataError(path, `line ${k} is not valid JSON`);
    }
    const parsed = Sample.safeParse(value);
    if (!parsed.success) throw new RunDataError(path, `line ${k} fails the sample schema: ${describeZod(parsed.error)}`);
    samples.push(parsed.data);
  }
  return { samples, truncatedTail };
}

export function readManifest(dir: string): RunManifest {
  if (!existsSync(dir)) throw new RunDataError(dir, 'run directory does not exist');
  if (!statSync(dir).isDirectory()) throw new RunDataError(dir, 'not a directory');
  return readJsonFile(runPaths(dir).manifest, RunManifest, 'run manifest');
}

export function readVerdict(dir: string, cellId: string): CellVerdict | null {
  const path = runPaths(dir).verdict(cellId);
  return existsSync(path) ? readJsonFile(path, CellVerdict, 'verdict') : null;
}

export function readAttribution(dir: string, cellId: string): Attribution | null {
  const path = runPaths(dir).attribution(cellId);
  return existsSync(path) ? readJsonFile(path, Attribution, 'attribution') : null;
}

export interface CellData {
  record: CellRecord;
  samples: Sample[];
  truncatedTail: boolean;
  verdict: CellVerdict | null;
  /** Where the cell's growth is, when it was attributed (leakbench run --attribute / attribute). */
  attribution: Attribution | null;
}

export interface RunData {
  dir: string;
  manifest: RunManifest;
  cells: CellData[];
  /**
   * The calibrations the run carries: its own `calibration.json` (a `leakbench calibrate` directory), then any
   * published beside a run as `calibration-<name>.json` (one per host profile), by name.
   */
  calibrations: CalibrationResult[];
  /** The backends timed side by side in one process (`bench.json`), when the run carries it. */
  bench: BenchResult | null;
}

/** Reads and validates a whole run directory. */
export function readRun(dir: string): RunData {
  const manifest = readManifest(dir);
  const paths = runPaths(dir);
  const cells = manifest.cells.map((record) => {
    const { samples, truncatedTail } = readSamples(paths.samples(record.spec.id));
    return { record, samples, truncatedTail, verdict: readVerdict(dir, record.spec.id), attribution: readAttribution(dir, record.spec.id) };
  });
  const extra = readdirSync(dir).filter((f) => CALIBRATION_EXTRA.test(f)).sort();
  const calibrations = [...(existsSync(paths.calibration) ? [paths.calibration] : []), ...extra.map((f) => join(dir, f))].map((f) =>
    readJsonFile(f, CalibrationResult, 'calibration'),
  );
  const bench = existsSync(paths.bench) ? readJsonFile(paths.bench, BenchResult, 'bench') : null;
  return { dir, manifest, cells, calibrations, bench };
}
