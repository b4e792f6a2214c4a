// Argument parsers for the CLI: each failure is a UsageError that names the option and what is accepted.
import { InvalidArgumentError, Option } from 'commander';
import type { AttributeWhen } from '@leakbench/analysis';

export function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v.trim()) || !(n > 0) || !Number.isFinite(n)) {
      throw new InvalidArgumentError(`${name} must be a positive number (got '${v}')`);
    }
    return n;
  };
}

export function positiveInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v.trim()) || !(Number(v) > 0)) throw new InvalidArgumentError(`${name} must be a whole number > 0 (got '${v}')`);
    return Number(v);
  };
}

export function nonNegativeInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`${name} must be a whole number >= 0 (got '${v}')`);
    return Number(v);
  };
}

export function oneOf<T extends string>(name: string, accepted: readonly T[]) {
  return (v: string): T => {
    if (!accepted.includes(v as T)) throw new InvalidArgumentError(`${name} '${v}' is not accepted; accepted: ${accepted.join(', ')}`);
    return v as T;
  };
}

export function commaList(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** --attribute / --no-attribute / neither (commander leaves the value undefined): which cells get a pass. */
export const attributeWhen = (flag: boolean | undefined): AttributeWhen => (flag === undefined ? 'auto' : flag ? 'all' : 'none');

/** `--shard k/n` read as two whole numbers; their range (1 <= k <= n, a shard that holds a cell) is the plan's check. */
export function shardArg(v: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v);
  if (!m) throw new InvalidArgumentError(`--shard must be k/n with whole numbers 1 <= k <= n, e.g. 2/3 (got '${v}')`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** The host profiles a process that measures can be started with (harness host.ts). */
export const HOST_PROFILES = ['stable', 'stock'] as const;

/** `--numerics portable|host` for a command whose processes compute (run, bench, simulate); `portable` says how. */
export function numericsOption(portable: string, defaultValue: 'portable' | 'host' = 'portable'): Option {
  return new Option('--numerics <mode>', `portable: ${portable}; host: what the CPU offers`).argParser(oneOf('--numerics', ['portable', 'host'] as const)).default(defaultValue);
}

/** The time now as it names an output of the CLI (runs/run-<stamp>): ISO, without colons and fractions. */
export const timeStamp = () => new Date().toISOString().replace(/[:]/g, '').replace(/\..*$/, '');

/** `--option name=value`, repeatable: collected into a record (commander's argParser with the previous value). */
export function backendOption(v: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = v.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`--option takes name=value (got '${v}')`);
  const name = v.slice(0, eq);
  if (name in previous) throw new InvalidArgumentError(`--option ${name} given twice`);
  return { ...previous, [name]: v.slice(eq + 1) };
}

/** Where a --backend-module runs: `node` (the cell's process) or `chromium` (a page of headless Chromium). */
export const runtimeOption = (): Option =>
  new Option('--runtime <where>', "where a --backend-module's cells run: node, or chromium (a page of headless Chromium, Debian's; WebAssembly modules only, bundled for the browser by esbuild)")
    .argParser(oneOf('--runtime', ['node', 'chromium'] as const))
    .default('node');
