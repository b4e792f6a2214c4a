// Leak fixtures: what a simulate call deliberately leaks, chosen per call at run time.
import { UsageError } from './errors.js';

export type Fixture =
  | { kind: 'none' }
  | { kind: 'object' }
  | { kind: 'list' }
  /** malloc(bytes) inside the C call, written to, never freed. `double` = 8, `double100` = 800. */
  | { kind: 'malloc'; bytes: number };

export interface FixtureDescription {
  id: string;
  layer: 'none' | 'js-heap' | 'c-allocator';
  description: string;
}

export const FIXTURES: FixtureDescription[] = [
  { id: 'none', layer: 'none', description: 'leaks nothing: the real workload alone' },
  { id: 'object', layer: 'js-heap', description: 'one new empty JS object kept alive per iteration (strong ref, never released)' },
  { id: 'list', layer: 'js-heap', description: 'one new empty JS array kept alive per iteration' },
  { id: 'double', layer: 'c-allocator', description: 'malloc of 1 C double (8 B) per iteration, written, never freed' },
  { id: 'double100', layer: 'c-allocator', description: 'malloc of 100 C doubles (800 B) per iteration, never freed' },
  { id: 'malloc:<bytes>', layer: 'c-allocator', description: 'malloc of <bytes> per iteration, never freed (size sweeps; 1..16777216)' },
];

/** The five fixtures `--fixtures all` means. */
export const DEFAULT_FIXTURES = ['none', 'object', 'list', 'double', 'double100'];

export const MAX_MALLOC_FIXTURE_BYTES = 16 * 1024 * 1024;

const ACCEPTED = 'none, object, list, double, double100, malloc:<bytes> (1..16777216)';

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
    if (bytes > MAX_MALLOC_FIXTURE_BYTES) {
      throw new UsageError(`fixture '${id}': ${bytes} bytes per iteration is absurd for a leak fixture (max ${MAX_MALLOC_FIXTURE_BYTES}); accepted: ${ACCEPTED}`);
    }
    return { kind: 'malloc', bytes };
  }
  throw new UsageError(`unknown fixture '${id}'; accepted: ${ACCEPTED}`);
}

/** Bytes a fixture asks the C allocator for per iteration (0 for JS or none). */
export function fixtureMallocBytes(f: Fixture): number {
  return f.kind === 'malloc' ? f.bytes : 0;
}

/** Expands a comma list where `all` means the default five. Validates every entry. */
export function parseFixtureList(text: string): string[] {
  const ids = text.split(',').map((s) => s.trim()).filter(Boolean).flatMap((s) => (s === 'all' ? DEFAULT_FIXTURES : [s]));
  if (ids.length === 0) throw new UsageError(`--fixtures is empty; accepted: all, ${ACCEPTED}`);
  for (const id of ids) parseFixture(id);
  return [...new Set(ids)];
}
