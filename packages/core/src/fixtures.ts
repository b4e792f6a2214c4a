// Leak fixtures: what a simulate call deliberately leaks, chosen per call at run time. This module owns the
// fixture ids — their grammar, what they mean, which layer each must show in. What a backend can carry (size
// limits, JS vs C fixtures) is the backend's to say (Backend.fixtureProblem), so the C workload's limits live
// with the workload's ABI, in one place.
import { z } from 'zod';
import { UsageError } from './errors.js';
import type { Where } from './layers.js';

/** A parsed fixture: what the harness hands a backend, and what a cell spec stores beside the id. */
export const FixtureDef = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('object') }),
  z.object({ kind: z.literal('list') }),
  /** malloc(bytes) inside the C call, written to, never freed. `double` = 8, `double100` = 800. */
  z.object({ kind: z.literal('malloc'), bytes: z.number().int().positive() }),
]);
export type Fixture = z.infer<typeof FixtureDef>;

export type FixtureKind = Fixture['kind'];

export interface FixtureDescription {
  id: string;
  /** The layer a leak of this fixture must be located in (`none`: nothing may leak). */
  expected: Exclude<Where, 'rss-only' | 'wasm-memory'> | 'none';
  description: string;
}

export const FIXTURES: FixtureDescription[] = [
  { id: 'none', expected: 'none', description: 'leaks nothing: the real workload alone' },
  { id: 'object', expected: 'js-heap', description: 'one new empty JS object kept alive per iteration (strong ref, never released)' },
  { id: 'list', expected: 'js-heap', description: 'one new empty JS array kept alive per iteration' },
  { id: 'double', expected: 'c-allocator', description: 'malloc of 1 C double (8 B) per iteration, written, never freed' },
  { id: 'double100', expected: 'c-allocator', description: 'malloc of 100 C doubles (800 B) per iteration, never freed' },
  { id: 'malloc:<bytes>', expected: 'c-allocator', description: 'malloc of <bytes> per iteration, never freed (size sweeps; each backend states its limit)' },
];

/** The five fixtures `--fixtures all` means. */
export const DEFAULT_FIXTURES = ['none', 'object', 'list', 'double', 'double100'];

const ACCEPTED = 'none, object, list, double, double100, malloc:<bytes>';

/** The one parser of fixture ids. Throws a UsageError naming what is accepted. */
export function parseFixture(id: string): Fixture {
  switch (id) {
    case 'none':
    case 'object':
    case 'list':
      return { kind: id };
    case 'double':
      return { kind: 'malloc', bytes: 8 };
    case 'double100':
      return { kind: 'malloc', bytes: 800 };
  }
  const m = /^malloc:(.*)$/.exec(id);
  if (m) {
    const text = m[1]!;
    if (!/^-?\d+$/.test(text)) throw new UsageError(`fixture '${id}': malloc size must be a whole number of bytes; accepted: ${ACCEPTED}`);
    const bytes = Number(text);
    if (bytes <= 0) throw new UsageError(`fixture '${id}': malloc size must be positive; accepted: ${ACCEPTED}`);
    if (!Number.isSafeInteger(bytes)) throw new UsageError(`fixture '${id}': ${text} bytes is not a size any allocator can be asked for; accepted: ${ACCEPTED}`);
    return { kind: 'malloc', bytes };
  }
  throw new UsageError(`unknown fixture '${id}'; accepted: ${ACCEPTED}`);
}

/** Bytes a fixture asks the C allocator for per iteration (0 for JS or none). */
export function fixtureMallocBytes(f: Fixture): number {
  return f.kind === 'malloc' ? f.bytes : 0;
}

/** The layer a fixture's leak must be located in, `none` when it leaks nothing. */
export function expectedWhere(f: Fixture): FixtureDescription['expected'] {
  return f.kind === 'none' ? 'none' : f.kind === 'malloc' ? 'c-allocator' : 'js-heap';
}

export interface ParsedFixture {
  /** The id as the user wrote it (names the cell). */
  id: string;
  fixture: Fixture;
}

/**
 * The one place a list of fixture ids is expanded (`all` = the default five), de-duplicated and parsed. Throws a
 * UsageError naming the bad id and what is accepted.
 */
export function parseFixtureList(ids: string[]): ParsedFixture[] {
  const expanded = ids.map((s) => s.trim()).filter(Boolean).flatMap((s) => (s === 'all' ? DEFAULT_FIXTURES : [s]));
  if (expanded.length === 0) throw new UsageError(`--fixtures is empty; accepted: all, ${ACCEPTED}`);
  return [...new Set(expanded)].map((id) => ({ id, fixture: parseFixture(id) }));
}
