// The matrix as shards (run --shard k/n) joined by `leakbench merge`: disjoint shards whose union is the matrix, a
// merged run equal in cells to the unsharded one that check, analyse and report accept, and every way a set of
// shards can be wrong refused with exit 2 and why.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readRun, type RunManifest } from '@leakbench/core';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');
const base = mkdtempSync(join(tmpdir(), 'leakbench-shards-'));
const leakbench = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 290_000 });
// The default matrix (both backends, the five fixtures), shortened to the fewest iterations a verdict is given at
// (warm-up + 7): what is asserted is how cells are cut and joined, not what they decide.
const MATRIX = ['--iterations', '12', '--warmup', '5'];
const ids = (dir: string) => readRun(dir).cells.map((c) => c.record.spec.id);
const manifestOf = (dir: string): RunManifest => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));

describe('run --shard k/n and merge', () => {
  const whole = join(base, 'whole');
  const shard = (k: number) => join(base, `shard-${k}`);
  beforeAll(() => {
    for (const [out, extra] of [[whole, []], [shard(1), ['--shard', '1/3']], [shard(2), ['--shard', '2/3']], [shard(3), ['--shard', '3/3']]] as const) {
      const r = leakbench(['run', ...MATRIX, ...extra, '--out', out, '--json']);
      expect(r.status, r.stderr).toBe(0);
    }
  }, 300_000);

  it('cuts disjoint shards, each a valid run, whose union is the whole matrix in order', () => {
    const parts = [1, 2, 3].map((k) => ids(shard(k)));
    expect(parts.map((p) => p.length)).toEqual([4, 3, 3]);
    expect(new Set(parts.flat()).size).toBe(10);
    expect([...parts.flat()].sort()).toEqual([...ids(whole)].sort());
    expect(manifestOf(shard(2)).options.shard).toEqual({ index: 2, count: 3, matrix: ids(whole) });
    expect(parts[1]).toEqual(ids(whole).filter((_, i) => i % 3 === 1));
  });

  it('merges three shards into a run equal in cells to the unsharded one, which check, analyse and report accept', () => {
    const merged = join(base, 'merged');
    const r = leakbench(['merge', shard(3), shard(1), shard(2), '--out', merged]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/merged 3 shards, 10 cells/);
    const m = readRun(merged);
    const w = readRun(whole);
    expect(m.cells.map((c) => c.record.spec)).toEqual(w.cells.map((c) => c.record.spec));
    expect(m.manifest.options).toEqual({ ...w.manifest.options, shard: null });
    expect(m.manifest.merged.map((s) => s.shard)).toEqual(['1/3', '2/3', '3/3']);
    // Every cell's series and verdict arrive as they were recorded.
    for (const c of m.cells) {
      const from = [1, 2, 3].map(shard).find((d) => ids(d).includes(c.record.spec.id))!;
      expect(readFileSync(join(merged, 'cells', c.record.spec.id, 'samples.ndjson'), 'utf8')).toBe(readFileSync(join(from, 'cells', c.record.spec.id, 'samples.ndjson'), 'utf8'));
      expect(c.verdict).not.toBeNull();
    }
    const check = leakbench(['check', merged, '--json', '--junit', join(base, 'junit.xml')]);
    expect([0, 1], check.stderr).toContain(check.status);
    expect(JSON.parse(check.stdout).cells).toHaveLength(10);
    expect(readFileSync(join(base, 'junit.xml'), 'utf8')).toMatch(/<testsuites name="leakbench check" tests="11"/);
    expect(leakbench(['analyse', merged]).status).toBe(0);
    const report = leakbench(['report', merged, '--out', join(base, 'site')]);
    expect(report.status, report.stderr).toBe(0);
    expect(readFileSync(join(base, 'site', 'index.html'), 'utf8')).toMatch(/<h2>Shards<\/h2>\n<p>Merged from 3 shard runs/);
  });

  it('refuses a shard given twice, a missing shard (naming its cells), a whole run, other options, other commits', () => {
    const twice = leakbench(['merge', shard(1), shard(2), shard(2), '--out', join(base, 'm-twice')]);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/shard 2\/3 is given twice/);
    const missing = leakbench(['merge', shard(1), shard(3), '--out', join(base, 'm-missing')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`missing shard 2/3 (cells: ${ids(shard(2)).join(', ')})`);
    const notShard = leakbench(['merge', whole, shard(2), '--out', join(base, 'm-whole')]);
    expect(notShard.status).toBe(2);
    expect(notShard.stderr).toMatch(/is a whole run, not a shard/);
    // A shard of another request: the same shard cut from a run of other options.
    const other = join(base, 'other');
    cpSync(shard(3), other, { recursive: true });
    const m = manifestOf(other);
    writeFileSync(join(other, 'run.json'), JSON.stringify({ ...m, options: { ...m.options, iterations: 50 } }));
    const mismatch = leakbench(['merge', shard(1), shard(2), other, '--out', join(base, 'm-other')]);
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr).toMatch(/shard of another request.*iterations differ/);
    // Another commit: refused unless --allow-mixed, which keeps each shard's commit on record.
    const mixed = join(base, 'mixed');
    cpSync(shard(3), mixed, { recursive: true });
    writeFileSync(join(mixed, 'run.json'), JSON.stringify({ ...manifestOf(mixed), environment: { ...manifestOf(mixed).environment, commit: 'f'.repeat(40) } }));
    const refused = leakbench(['merge', shard(1), shard(2), mixed, '--out', join(base, 'm-mixed')]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/different code.*--allow-mixed/);
    const allowed = leakbench(['merge', shard(1), shard(2), mixed, '--out', join(base, 'm-mixed'), '--allow-mixed']);
    expect(allowed.status, allowed.stderr).toBe(0);
    expect(manifestOf(join(base, 'm-mixed')).merged.map((s) => s.environment.commit)).toContain('f'.repeat(40));
  });

  it('refuses a shard that is not k/n with 1 <= k <= n, or one that would hold no cell', () => {
    for (const bad of ['0/3', '4/3', 'x', '2']) {
      const r = leakbench(['run', ...MATRIX, '--shard', bad, '--out', join(base, `bad-${bad.replace('/', '-')}`)]);
      expect(r.status, bad).toBe(2);
      expect(r.stderr).toMatch(/--shard must be k\/n/);
    }
    const empty = leakbench(['run', ...MATRIX, '--shard', '11/11', '--out', join(base, 'bad-empty')]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/the matrix has 10 cell\(s\), so at most 10 shards/);
  });
});
