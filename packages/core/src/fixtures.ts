// Leak fixtures — the zoo: what a simulate call deliberately leaks (or, for the non-leaks, deliberately does
// that is not a leak), chosen per call at run time. This module owns the fixture ids: the catalogue (shape, the
// layer each must show in, leak or not), the grammar and the one parser. What a backend can carry (size limits,
// native-only shapes) is the backend's to say (Backend.fixtureProblem), so the C workload's limits live with the
// workload's ABI, in one place.
import { UsageError } from './errors.js';
import { layerSpec, type Layer, type Where } from './layers.js';

export const FIXTURE_KINDS = [
  'none', 'object', 'list', 'malloc', 'every', 'late', 'geometric', 'new', 'strdup', 'memalign', 'mmap',
  'buffer', 'js-array', 'memo', 'bounded-cache', 'init-once', 'churn', 'garbage', 'deferred',
] as const;
export type FixtureKind = (typeof FIXTURE_KINDS)[number];

/**
 * A parsed fixture: what the harness hands a backend, and what a cell spec stores beside the id. `bytes` and
 * `period` are the shape's two parameters (0 where a shape has none): a size, and a count of calls (every k-th
 * call, from call k on, k cache entries).
 */
export interface Fixture {
  kind: FixtureKind;
  bytes: number;
  period: number;
}

type Param = 'period' | 'bytes';

export interface ZooEntry {
  kind: FixtureKind;
  /** The parameters an id gives after the name, in order (`every:<period>:<bytes>`). */
  params: Param[];
  /** Parameters of the bare name (`every` = `every:10:256`). */
  defaults: { period?: number; bytes?: number };
  /** Whether the shape is a leak (memory that grows without bound with the iterations). */
  leaks: boolean;
  /** The sample field the shape must show in (for a non-leak: where it would be mistaken for one). */
  layer: Layer;
  /** What it does, in words. */
  description: string;
  /** The C workload carries it (both bindings), or the JS host of the binding does. */
  carrier: 'c' | 'js';
}

const entry = (kind: FixtureKind, params: Param[], defaults: ZooEntry['defaults'], leaks: boolean, layer: Layer, carrier: ZooEntry['carrier'], description: string): ZooEntry => ({
  kind, params, defaults, leaks, layer, carrier, description,
});

/** The zoo, leaks first. */
export const ZOO: ZooEntry[] = [
  entry('none', [], {}, false, 'allocatorBytes', 'c', 'leaks nothing: the real workload alone'),
  entry('malloc', ['bytes'], { bytes: 8 }, true, 'allocatorBytes', 'c', 'malloc of <bytes> per iteration, written, never freed'),
  entry('every', ['period', 'bytes'], { period: 10, bytes: 256 }, true, 'allocatorBytes', 'c', 'intermittent: malloc of <bytes> on every <period>-th iteration only, never freed'),
  entry('late', ['period', 'bytes'], { period: 50, bytes: 64 }, true, 'allocatorBytes', 'c', 'late onset: malloc of <bytes> per iteration after iteration <period>, never freed'),
  entry('geometric', ['bytes'], { bytes: 64 }, true, 'allocatorBytes', 'c', 'one C vector gains <bytes> per iteration, grown by realloc doubling (steps that double), never shrunk'),
  entry('new', ['bytes'], { bytes: 64 }, true, 'allocatorBytes', 'c', 'C++ new char[<bytes>] per iteration, never deleted'),
  entry('strdup', ['bytes'], { bytes: 64 }, true, 'allocatorBytes', 'c', 'strdup of a <bytes>-long string per iteration, never freed'),
  entry('memalign', ['bytes'], { bytes: 256 }, true, 'allocatorBytes', 'c', 'posix_memalign(64, <bytes>) per iteration, never freed'),
  entry('mmap', ['bytes'], { bytes: 16384 }, true, 'rssBytes', 'c', 'anonymous pages (<bytes>, rounded up to pages) mmapped and touched per iteration, never unmapped: RSS only (native only)'),
  entry('object', [], {}, true, 'heapUsedBytes', 'js', 'one new empty JS object kept alive per iteration (strong ref, never released)'),
  entry('list', [], {}, true, 'heapUsedBytes', 'js', 'one new empty JS array kept alive per iteration'),
  entry('buffer', ['bytes'], { bytes: 1000 }, true, 'arrayBuffersBytes', 'js', 'one new <bytes>-long Buffer kept alive per iteration (external memory)'),
  entry('js-array', [], {}, true, 'heapUsedBytes', 'js', 'one number appended per iteration to one JS array that is never cleared (geometric growth of its store)'),
  entry('memo', [], {}, true, 'heapUsedBytes', 'js', 'a JS Map memo that gains one key per iteration and never evicts'),
  entry('bounded-cache', ['period', 'bytes'], { period: 64, bytes: 1024 }, false, 'allocatorBytes', 'c', 'a C cache of <period> entries of <bytes> that fills, then replaces'),
  entry('init-once', ['bytes'], { bytes: 65536 }, false, 'allocatorBytes', 'c', 'malloc of <bytes> on the first iteration only, kept as a global'),
  entry('churn', ['bytes'], { bytes: 4096 }, false, 'allocatorBytes', 'c', 'blocks of varying sizes up to <bytes> allocated and freed, no net growth (fragmentation)'),
  entry('garbage', ['bytes'], { bytes: 65536 }, false, 'heapUsedBytes', 'js', 'about <bytes> of short-lived JS objects per iteration, dropped'),
  entry('deferred', ['bytes'], { bytes: 4096 }, false, 'allocatorBytes', 'js', 'malloc of <bytes> owned by an unreferenced JS object, freed by its finalizer after GC'),
];

/** Named fixtures that stand for a zoo id with fixed parameters. */
export const ALIASES: Record<string, string> = {
  double: 'malloc:8',
  double100: 'malloc:800',
  intermittent: 'every:10:256',
  'periodic-large': 'every:50:65536',
  'late-onset': 'late:50:64',
};

const ZOO_BY_KIND = new Map(ZOO.map((z) => [z.kind, z]));
export const zooEntry = (kind: FixtureKind): ZooEntry => ZOO_BY_KIND.get(kind)!;

/** The five fixtures `--fixtures all` means. */
export const DEFAULT_FIXTURES = ['none', 'object', 'list', 'double', 'double100'];

const syntax = (z: ZooEntry) => [z.kind, ...z.params.map((p) => `<${p}>`)].join(':');
const FIRST = ['none', 'object', 'list', 'double', 'double100', 'malloc:<bytes>'];
/** What the error messages list as accepted: today's five and malloc first, then the rest of the zoo. */
export const ACCEPTED_FIXTURES = [...FIRST, ...ZOO.map(syntax), ...Object.keys(ALIASES)].filter((x, k, all) => all.indexOf(x) === k).join(', ') + ' (a name alone uses its defaults)';

export interface FixtureDescription {
  id: string;
  /** The layer the shape must show in; for a non-leak, the layer where it must not be called a leak. */
  layer: Layer;
  leaks: boolean;
  description: string;
}

/** The zoo as `leakbench list` shows it: every shape's grammar, then the named aliases. */
export function describeFixtures(): FixtureDescription[] {
  const shapes = ZOO.map((z) => ({
    id: z.params.length ? `${syntax(z)}` : z.kind,
    layer: z.layer,
    leaks: z.leaks,
    description: z.params.length ? `${z.description} (default: ${z.kind}:${z.params.map((p) => z.defaults[p]).join(':')})` : z.description,
  }));
  const aliases = Object.entries(ALIASES).map(([id, target]) => {
    const f = parseFixture(target);
    return { id, layer: zooEntry(f.kind).layer, leaks: zooEntry(f.kind).leaks, description: `= ${target}` };
  });
  return [...shapes, ...aliases];
}

/** The one parser of fixture ids. Throws a UsageError naming what is accepted. */
export function parseFixture(id: string): Fixture {
  if (id in ALIASES) return parseFixture(ALIASES[id]!);
  const [name, ...args] = id.split(':');
  const z = ZOO_BY_KIND.get(name as FixtureKind);
  if (!z) throw new UsageError(`unknown fixture '${id}'; accepted: ${ACCEPTED_FIXTURES}`);
  if (args.length !== 0 && args.length !== z.params.length) {
    throw new UsageError(`fixture '${id}': ${z.kind} takes ${z.params.length ? z.params.map((p) => `<${p}>`).join(':') : 'no parameters'}; accepted: ${ACCEPTED_FIXTURES}`);
  }
  const f: Fixture = { kind: z.kind, bytes: z.defaults.bytes ?? 0, period: z.defaults.period ?? 0 };
  z.params.forEach((p, k) => {
    const text = args[k];
    if (text === undefined) return;
    const what = p === 'bytes' ? `${z.kind} size` : `${z.kind} period`;
    if (!/^-?\d+$/.test(text)) throw new UsageError(`fixture '${id}': ${what} must be a whole number${p === 'bytes' ? ' of bytes' : ' of iterations'}; accepted: ${ACCEPTED_FIXTURES}`);
    const value = Number(text);
    if (value <= 0) throw new UsageError(`fixture '${id}': ${what} must be positive; accepted: ${ACCEPTED_FIXTURES}`);
    if (!Number.isSafeInteger(value)) throw new UsageError(`fixture '${id}': ${text} is not a ${p === 'bytes' ? 'size any allocator can be asked for' : 'usable count'}; accepted: ${ACCEPTED_FIXTURES}`);
    f[p] = value;
  });
  return f;
}

/** Bytes a fixture asks the C allocator for per iteration on average (0 for JS shapes and non-leaks). */
export function fixtureMallocBytes(f: Fixture): number {
  const z = zooEntry(f.kind);
  if (z.carrier !== 'c' || !z.leaks) return 0;
  return f.kind === 'every' ? f.bytes / f.period : f.bytes;
}

/** Where a fixture's leak must be located (`none` for the non-leaks). */
export function expectedWhere(f: Fixture): Where | 'none' {
  const z = zooEntry(f.kind);
  if (!z.leaks) return 'none';
  return layerSpec(z.layer).locates;
}

export interface ParsedFixture {
  /** The id as the user wrote it (names the cell). */
  id: string;
  fixture: Fixture;
  /** Came from expanding `zoo`: a backend that cannot carry it skips it (an id asked for by name is an error). */
  fromZoo: boolean;
}

/**
 * The one place a list of fixture ids is expanded (`all` = the default five, `zoo` = every shape with its
 * defaults), de-duplicated and parsed. Throws a UsageError naming the bad id and what is accepted.
 */
export function parseFixtureList(ids: string[]): ParsedFixture[] {
  const given = ids.map((s) => s.trim()).filter(Boolean);
  const named = new Set(given.flatMap((s) => (s === 'all' ? DEFAULT_FIXTURES : s === 'zoo' ? [] : [s])));
  const expanded = given.flatMap((s) => (s === 'all' ? DEFAULT_FIXTURES : s === 'zoo' ? ZOO.map((z) => z.kind) : [s]));
  if (expanded.length === 0) throw new UsageError(`--fixtures is empty; accepted: all, zoo, ${ACCEPTED_FIXTURES}`);
  return [...new Set(expanded)].map((id) => ({ id, fixture: parseFixture(id), fromZoo: !named.has(id) }));
}
