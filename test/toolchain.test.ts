// Set-up scripts: a missing toolchain names the command that installs it; a user's SUNDIALS source is checked.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const bash = (script: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync('bash', ['-c', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });

describe('toolchain checks', () => {
  it('a missing emcc names the exact install command (and the emsdk alternative)', () => {
    const r = bash('. scripts/lib.sh; unset EMSDK; PATH=/nonexistent; require_emcc');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('apt-get install -y --no-install-recommends emscripten');
    expect(r.stderr).toContain('emsdk_env.sh');
  });

  it('an EMSDK without its emcc on PATH says how to activate it', () => {
    const r = bash('. scripts/lib.sh; PATH=/nonexistent; require_emcc', { EMSDK: '/opt/emsdk' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("source /opt/emsdk/emsdk_env.sh");
  });

  it("Debian's emcc runs Debian's python3, not the first on PATH; a python the user chose is kept", () => {
    const shim = mkdtempSync(join(tmpdir(), 'leakbench-shim-'));
    writeFileSync(join(shim, 'python3'), '#!/bin/sh\nexit 9\n', { mode: 0o755 }); // a version manager's shim first on PATH
    const chosen = bash(`. scripts/lib.sh; unset EMSDK EMSDK_PYTHON; PATH=${shim}:$PATH; require_emcc; echo "$EMSDK_PYTHON"`);
    expect(chosen.status, chosen.stderr).toBe(0);
    expect(chosen.stdout.trim()).toBe('/usr/bin/python3');
    const kept = bash('. scripts/lib.sh; unset EMSDK; require_emcc; echo "$EMSDK_PYTHON"', { EMSDK_PYTHON: '/opt/python/bin/python3' });
    expect(kept.stdout.trim()).toBe('/opt/python/bin/python3');
  });

  it('a user SUNDIALS path that does not exist is rejected clearly', () => {
    const r = bash('bash scripts/fetch-sundials.sh', { LEAKBENCH_SUNDIALS_SRC: '/nonexistent/sundials.tar.xz' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/neither a directory nor a file/);
  });

  it('a user tarball with another hash is refused unless its hash is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakbench-tar-'));
    const tarball = join(dir, 'sundials.tar.xz');
    writeFileSync(tarball, 'not sundials');
    const r = bash('bash scripts/fetch-sundials.sh', { LEAKBENCH_SUNDIALS_SRC: tarball, LEAKBENCH_CACHE: join(dir, 'cache') });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/sha256 mismatch .* LEAKBENCH_SUNDIALS_SHA256=any/);
  });

  it('a user directory that is not a SUNDIALS tree is rejected', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakbench-tree-'));
    const r = bash('bash scripts/fetch-sundials.sh', { LEAKBENCH_SUNDIALS_SRC: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a SUNDIALS source tree/);
  });

  it('the pinned source is verified and its tree used by both builds', () => {
    const r = bash('bash scripts/fetch-sundials.sh');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/sundials-src$/);
  });
});

describe('setup as a non-root user', () => {
  const isRoot = process.getuid?.() === 0;
  const hasRunuser = spawnSync('bash', ['-c', 'command -v runuser']).status === 0;
  it.skipIf(!isRoot || !hasRunuser)('prints the exact apt command for what is missing and exits 2 (nothing installed)', () => {
    // A PATH with a shell and coreutils only: every toolchain command is "missing".
    const bin = mkdtempSync(join(tmpdir(), 'leakbench-bin-'));
    for (const tool of ['bash', 'sh', 'dirname', 'id', 'cat', 'printf']) {
      const r = spawnSync('bash', ['-c', `ln -s "$(command -v ${tool})" "${bin}/${tool}"`]);
      expect(r.status).toBe(0);
    }
    spawnSync('chmod', ['755', bin]);
    const runuser = spawnSync('bash', ['-c', 'command -v runuser'], { encoding: 'utf8' }).stdout.trim();
    const r = spawnSync(runuser, ['-u', 'nobody', '--', `${bin}/bash`, 'scripts/setup.sh'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: bin, HOME: '/tmp' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/missing system packages: cmake .*emscripten/);
    expect(r.stderr).toMatch(/sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends cmake /);
  });
});
