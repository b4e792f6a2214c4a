// A fair comparison of backends: with portable numerics (the default) the addon and the WASM module compute the
// same trace bit for bit, with the same CVODE steps, for both models; `leakbench bench` checks that, times them
// side by side and stores the ratio with its interval; cells record the numerics they ran with. Through the real
// CLI, in the processes it starts.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BenchResult, readManifest } from '@leakbench/core';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `leakbench-${name}-`));
const leakbench = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });
/** Whether glibc would pick FMA variants here: the CPU has FMA (or AMD's FMA4). */
const cpuHasFma = /^flags\s*:.*\bfma4?\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));

function bench(args: string[]): BenchResult {
  const out = join(tmp('bench'), 'bench.json');
  const r = leakbench(['bench', '--rounds', '3', '--warmup', '1', '--processes', '2', '--out', out, ...args]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/wasm\/native/);
  return BenchResult.parse(JSON.parse(readFileSync(out, 'utf8')));
}

describe('leakbench bench', () => {
  it('portable numerics: both backends compute the same trace bit for bit, with the same steps, for both models', () => {
    const b = bench(['--host', 'stable,stock']);
    expect(b.hosts.map((h) => h.host.profile)).toEqual(['stable', 'stock']);
    for (const h of b.hosts) {
      expect(h.host.numerics).toBe('portable');
      expect(h.host.env.GLIBC_TUNABLES).toMatch(/glibc\.cpu\.hwcaps=-AVX2,-FMA,-FMA4/);
      expect(h.models.map((m) => m.model)).toEqual(['hh1952', 'lr1991']);
      for (const m of h.models) {
        expect(m.identical, `${h.host.profile} ${m.model}`).toBe(true);
        expect(m.maxAbsDifference).toBe(0);
        expect(m.steps.native).toBe(m.steps.wasm);
        expect(m.steps.native).toBeGreaterThan(100);
        // Two processes of three rounds each, resampled as such.
        expect(m.timesMs.native).toHaveLength(6);
        expect(m.timesMs.wasm).toHaveLength(6);
        const r = m.ratios.wasm!;
        expect(r).toMatchObject({ paired: true, processes: 2 });
        expect(r.ciLow).toBeLessThanOrEqual(r.ratio);
        expect(r.ciHigh).toBeGreaterThanOrEqual(r.ratio);
        expect(r.ratio).toBeCloseTo(m.medianMs.wasm! / m.medianMs.native!, 10);
      }
    }
    // Each side's build profile and math library, as the bench process's backends reported them.
    expect(b.builds.native!.optFlags).toMatch(/^release: -O3 .*\| link -O3/);
    expect(b.builds.wasm!.optFlags).toMatch(/^release: -O3 .*\| link -O3/);
    expect(b.builds.native!.mathLibrary).toMatch(/portable numerics/);
    expect(b.builds.wasm!.mathLibrary).toMatch(/musl/);
  });

  it(`host numerics: the addon uses glibc's FMA variants where the CPU has them (this CPU: ${cpuHasFma ? 'FMA' : 'no FMA'})`, () => {
    const b = bench(['--host', 'stable', '--numerics', 'host', '--models', 'lr1991']);
    const m = b.hosts[0]!.models[0]!;
    expect(b.hosts[0]!.host.env.GLIBC_TUNABLES ?? '').not.toMatch(/hwcaps/);
    if (cpuHasFma) {
      // The FMA variants round differently: other steps, other values — the comparison portable numerics fixes.
      expect(m.identical).toBe(false);
      expect(m.maxAbsDifference).toBeGreaterThan(0);
      expect(b.builds.native!.mathLibrary).toMatch(/FMA variants/);
    } else {
      expect(m.identical).toBe(true);
      expect(b.builds.native!.mathLibrary).toMatch(/no FMA on this CPU/);
    }
  });

  it("--profile: where each backend's time goes, the same C functions named on both sides (Linux perf)", () => {
    const dir = tmp('profile');
    const b = bench(['--host', 'stable', '--models', 'hh1952', '--profile', dir]);
    const p = b.hosts[0]!.models[0]!.profile!;
    expect(p).not.toBeNull();
    for (const id of ['native', 'wasm']) {
      expect(p.samples[id], id).toBeGreaterThan(500); // about 2 s of calls sampled at 2 kHz
      expect(p.workloadShare[id], id).toBeGreaterThan(0.5);
      expect(existsSync(join(dir, p.files[id]!)), id).toBe(true);
    }
    // The vector operation, the dense solve and the model's right-hand side are C functions of both builds: named
    // alike whether the addon's machine code or WASM code that V8 compiled ran them.
    const row = (f: string) => p.functions.find((x) => x.function === f);
    for (const f of ['N_VLinearSum_Serial', 'SUNLinSolSolve_Dense', 'hh_rhs']) {
      expect(row(f)?.msPerCall.native, `${f} native`).toBeGreaterThan(0);
      expect(row(f)?.msPerCall.wasm, `${f} wasm`).toBeGreaterThan(0);
    }
    // Nothing left behind where the command ran (V8's event log goes with the profile, then away).
    expect(readdirSync(ROOT).filter((f) => /^isolate-.*\.log$/.test(f))).toEqual([]);
    const total = (id: string) => p.functions.reduce((a, f) => a + f.msPerCall[id]!, 0);
    for (const id of ['native', 'wasm']) expect(total(id)).toBeLessThanOrEqual(b.hosts[0]!.models[0]!.medianMs[id]! * 1.000001);
  });

  it.each([
    [['--rounds', '1'], /--rounds must be a whole number >= 2/],
    [['--host', 'gpu'], /--host 'gpu' is not accepted; accepted: stable, stock/],
    [['--backends', 'native'], /at least two/],
    [['--backends', 'native,native'], /'native' is given twice/],
    [['--models', 'fhn'], /unknown model 'fhn'/],
    [['--numerics', 'fast'], /--numerics 'fast' is not accepted; accepted: portable, host/],
    [['--warmup', '-1'], /--warmup/],
    [['--processes', '0'], /--processes must be a whole number > 0/],
  ])('bad input %j exits 2 and says what is accepted', (args, message) => {
    const r = leakbench(['bench', '--out', join(tmp('bad'), 'b.json'), ...args]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('leakbench simulate', () => {
  it('prints the same trace for both backends (portable numerics by default, in the CLI\'s own process too)', () => {
    const csv = (args: string[]) => {
      const r = leakbench(['simulate', '--model', 'lr1991', '--format', 'csv', ...args]);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    const wasm = csv(['--backend', 'wasm']);
    expect(csv(['--backend', 'native'])).toBe(wasm);
    if (cpuHasFma) expect(csv(['--backend', 'native', '--numerics', 'host'])).not.toBe(wasm);
  });
});

describe('cells record their numerics', () => {
  it('a run (default numerics portable) records them in the manifest and the native build says so', () => {
    const out = join(tmp('numerics-run'), 'run');
    const r = leakbench(['run', '--backends', 'native', '--fixtures', 'none', '--iterations', '3', '--warmup', '0', '--no-attribute', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const m = readManifest(out);
    expect(m.options.host.numerics).toBe('portable');
    expect(m.options.host.env.GLIBC_TUNABLES).toBe('glibc.malloc.tcache_count=0:glibc.cpu.hwcaps=-AVX2,-FMA,-FMA4');
    expect(m.cells[0]!.build!.mathLibrary).toMatch(/masked by GLIBC_TUNABLES/);
    const host = join(tmp('numerics-host'), 'run');
    expect(leakbench(['run', '--backends', 'native', '--fixtures', 'none', '--iterations', '3', '--warmup', '0', '--no-attribute', '--numerics', 'host', '--out', host]).status).toBe(0);
    expect(readManifest(host).options.host).toMatchObject({ numerics: 'host', env: { GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0' } });
  });
});

describe('the build profile', () => {
  const flags = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [join(ROOT, 'scripts/build-flags.mjs'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

  it('gives both targets the same optimisation at compile and link, from one file; what each build records', () => {
    for (const target of ['native', 'wasm']) {
      expect(flags(['release', target, 'compile']).stdout).toMatch(/^-O3 -fvisibility=hidden/);
      expect(flags(['release', target, 'link']).stdout).toMatch(/^-O3/);
    }
    expect(flags(['release', 'native', 'name']).stdout.trim()).toBe('release: -O3 -fvisibility=hidden -flto | link -O3 -flto');
    expect(flags(['debug', 'wasm', 'link']).stdout.trim()).toBe('-O0 -g');
  });

  it('reads another profile from LEAKBENCH_BUILD_PROFILE (to measure a choice), and refuses a bad one with exit 2', () => {
    const file = join(tmp('profile-file'), 'p.json');
    writeFileSync(file, JSON.stringify({ release: { compile: ['-O2'], link: ['-O2'], targets: { native: {}, wasm: { link: ['-msimd128'] } } } }));
    expect(flags(['release', 'wasm', 'name'], { LEAKBENCH_BUILD_PROFILE: file }).stdout.trim()).toBe('release: -O2 | link -O2 -msimd128');
    const missing = flags(['release', 'wasm', 'compile'], { LEAKBENCH_BUILD_PROFILE: join(tmp('none'), 'nope.json') });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
    const unknown = flags(['fast', 'wasm', 'compile']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown profile 'fast'; accepted: release, debug/);
  });
});
