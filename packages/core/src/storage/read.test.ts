import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readSamples, samplesExist } from './read.js';

const sample = (i: number) => ({
  i,
  phase: i === 0 ? 'baseline' : 'measure',
  iterNs: i === 0 ? null : 1_400_000 + i,
  tMs: 11.5 * i,
  vmsBytes: 862_806_016,
  rssBytes: 59_228_160 + 4096 * (i % 7),
  maxRssBytes: 59_215_872,
  heapUsedBytes: 8_520_624,
  heapTotalBytes: 18_288_640,
  externalBytes: 1_899_953,
  arrayBuffersBytes: 76_315,
  globalHandlesBytes: 26_400,
  gcMinor: 8,
  gcMajor: 1 + i,
  gcIncremental: 0,
  gcWeakCallbacks: null,
  gcPauseNs: 19_410_000,
  allocatorBytes: 3_937_904 + 32 * i,
  moduleHeapBytes: 528_632 + 24 * i,
  wasmMemoryBytes: null,
});

const dir = () => mkdtempSync(join(tmpdir(), 'leakbench-read-'));
const ndjson = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify(sample(i)) + '\n').join('');

describe('readSamples', () => {
  // 3000 lines of ~520 bytes: lines straddle the 1 MiB read chunks.
  const text = ndjson(3000);

  it('reads a file larger than its read chunk, every line whole', () => {
    const path = join(dir(), 'samples.ndjson');
    writeFileSync(path, text);
    expect(text.length).toBeGreaterThan(1 << 20);
    const { samples, truncatedTail } = readSamples(path);
    expect(truncatedTail).toBe(false);
    expect(samples.map((s) => s.i)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(samples[2999]!.moduleHeapBytes).toBe(528_632 + 24 * 2999);
  });

  it('reads the gzip-compressed form when only samples.ndjson.gz is stored', () => {
    const path = join(dir(), 'samples.ndjson');
    writeFileSync(`${path}.gz`, gzipSync(text));
    expect(samplesExist(path)).toBe(true);
    expect(readSamples(path).samples).toHaveLength(3000);
  });

  it('drops a last line cut off mid-write and says so', () => {
    const path = join(dir(), 'samples.ndjson');
    writeFileSync(path, text + JSON.stringify(sample(3000)).slice(0, 40));
    const { samples, truncatedTail } = readSamples(path);
    expect(truncatedTail).toBe(true);
    expect(samples).toHaveLength(3000);
  });

  it('names the file and line of a corrupt line that is not the last', () => {
    const path = join(dir(), 'samples.ndjson');
    const lines = text.split('\n');
    lines[2500] = '{"i": 2500, "phase"';
    writeFileSync(path, lines.join('\n'));
    expect(() => readSamples(path)).toThrow(/samples\.ndjson: line 2501 is not valid JSON/);
  });

  it('reads a missing file as no samples, and an empty one too', () => {
    const d = dir();
    expect(samplesExist(join(d, 'samples.ndjson'))).toBe(false);
    expect(readSamples(join(d, 'samples.ndjson'))).toEqual({ samples: [], truncatedTail: false });
    writeFileSync(join(d, 'samples.ndjson'), '');
    expect(readSamples(join(d, 'samples.ndjson'))).toEqual({ samples: [], truncatedTail: false });
  });
});
