// The house rules of the monorepo, checked on its files: the declared workspace graph is acyclic, core depends
// on no other workspace package, every reference to a workspace package in source (static import, dynamic
// import, require, or the name in a string) is a declared dependency, the generated ABI files are current, and
// the workspace CLI is what `npx leakbench` runs.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[]; dependencies?: Record<string, string> };

interface Pkg {
  name: string;
  dir: string;
  deps: Set<string>;
}

const packages: Pkg[] = rootPkg.workspaces.map((dir) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
  const deps = new Set(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies }).filter((d) => d.startsWith('@leakbench/')));
  return { name: pkg.name as string, dir, deps };
});
const byName = new Map(packages.map((p) => [p.name, p]));

/** Source files of a package: TypeScript and JavaScript outside build output and node_modules. */
function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      if (['node_modules', 'dist', 'build', 'wasm', '.turbo'].includes(entry)) continue;
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|mts|js|mjs|cjs)$/.test(entry)) out.push(path);
    }
  };
  walk(join(ROOT, dir));
  return out;
}

describe('workspace graph', () => {
  it('is acyclic', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const cycle: string[] = [];
    const visit = (name: string, path: string[]): boolean => {
      if (state.get(name) === 'done') return false;
      if (state.get(name) === 'visiting') return cycle.push(...path, name), true;
      state.set(name, 'visiting');
      for (const d of byName.get(name)?.deps ?? []) if (visit(d, [...path, name])) return true;
      state.set(name, 'done');
      return false;
    };
    for (const p of packages) visit(p.name, []);
    expect(cycle, `cycle: ${cycle.join(' -> ')}`).toEqual([]);
  });

  it('keeps core free of other workspace packages', () => {
    expect([...byName.get('@leakbench/core')!.deps]).toEqual([]);
  });

  it('declares every workspace package a source refers to, by import or by name', () => {
    const undeclared: string[] = [];
    for (const p of packages) {
      for (const file of sources(p.dir)) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/['"`](@leakbench\/[a-z0-9-]+)/g)) {
          const target = m[1]!;
          if (target !== p.name && !p.deps.has(target) && byName.has(target)) undeclared.push(`${relative(ROOT, file)} -> ${target}`);
          if (!byName.has(target)) undeclared.push(`${relative(ROOT, file)} -> ${target} (no such workspace package)`);
        }
      }
    }
    expect(undeclared).toEqual([]);
  });

  it('has the root depend on the CLI, so that npx leakbench is the workspace CLI', () => {
    expect(rootPkg.dependencies?.['@leakbench/cli']).toBeDefined();
    const r = spawnSync('npx', ['--no', 'leakbench', 'list', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const listed = JSON.parse(r.stdout) as { backends: { id: string }[]; models: { id: string }[] };
    expect(listed.backends.map((b) => b.id)).toEqual(['native', 'wasm', 'wasm-chromium']);
    expect(listed.models.map((m) => m.id).sort()).toEqual(['hh1952', 'lr1991']);
  });
});

describe('workload ABI', () => {
  it('has its generated C header and TypeScript module current with abi.json', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'workload/scripts/gen-abi.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('writes no shared limit by hand in C or in the adapter', () => {
    const abi = JSON.parse(readFileSync(join(ROOT, 'workload/abi.json'), 'utf8')) as Record<string, Record<string, { value: number }>>;
    // Distinctive values only (small ones such as 8 states collide with unrelated numbers).
    const limits = Object.values(abi.limits!).map((l) => l.value).filter((v) => v >= 1000).map(String);
    expect(limits.length).toBeGreaterThanOrEqual(3);
    const handWritten = [
      ...['workload/src/simulate.c', 'workload/src/models.c', 'workload/src/probes.c', 'workload/include/leakbench_workload.h'],
      ...['workload/ts/adapter.ts', 'packages/native-cvode/src/binding.cc', 'packages/wasm-cvode/src/wasm_api.c', 'packages/wasm-cvode/src/index.ts', 'packages/native-cvode/src/index.ts'],
    ];
    const found = handWritten.flatMap((f) => {
      const text = readFileSync(join(ROOT, f), 'utf8');
      return limits.filter((v) => new RegExp(`(?<![\\d.])${v}(?![\\d.])`).test(text)).map((v) => `${f}: ${v}`);
    });
    expect(found).toEqual([]);
  });
});
