import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineCounter } from './cell-process.js';

describe('LineCounter', () => {
  it('counts the lines appended since it last looked, a partial line once it ends', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'leakbench-lines-')), 'samples.ndjson');
    const c = new LineCounter(path);
    expect(() => c.count()).toThrow(); // not written yet
    appendFileSync(path, '{"i":0}\n{"i":1}\n{"i":');
    expect(c.count()).toBe(2);
    appendFileSync(path, '2}\n');
    expect(c.count()).toBe(3);
    // More than one read's worth at once (the buffer holds 64 kB).
    appendFileSync(path, `${'x'.repeat(99)}\n`.repeat(2000));
    expect(c.count()).toBe(2003);
    expect(c.count()).toBe(2003);
    c.close();
  });
});
