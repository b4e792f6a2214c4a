// On-disk formats of a leakbench run, versioned and validated on read (docs/FORMAT.md describes them).
//
// <run>/run.json                      RunManifest: environment, options, every cell's status
// <run>/cells/<cellId>/samples.ndjson one Sample per line, appended as the cell runs
// <run>/cells/<cellId>/verdict.json   CellVerdict, computed once by the CLI and read by the report
// <run>/cells/<cellId>/attribution.json  Attribution: where the cell's growth is (leakbench run --attribute / attribute)
import { z } from 'zod';
import { FIXTURE_KINDS } from './fixtures.js';
import { LAYER_TABLE, LAYERS, WHERES, type Layer } from './layers.js';
import { ATTRIBUTION_SCHEMA, BENCH_SCHEMA, CALIBRATION_SCHEMA, RUN_SCHEMA, VERDICT_SCHEMA } from './schema-ids.js';

export * from './schema-ids.js';

/** A parsed fixture (fixtures.ts's Fixture) as a cell spec stores it, validated on read. */
export const FixtureDef = z.object({
  kind: z.enum(FIXTURE_KINDS),
  bytes: z.number().int().nonnegative().default(0),
  period: z.number().int().nonnegative().default(0),
});

const num = z.number();
const nullableNum = z.number().nullable();

type LayerFieldSchemas = { [K in Layer]: z.ZodNumber | z.ZodDefault<z.ZodNullable<z.ZodNumber>> };
function layerFields(): LayerFieldSchemas {
  return Object.fromEntries(LAYER_TABLE.map((l) => [l.field, l.nullable ? z.number().nullable().default(null) : num])) as LayerFieldSchemas;
}

/** Where in a cell's life a sample was taken. */
export const Phase = z.enum(['baseline', 'warmup', 'measure', 'settle']);
export type Phase = z.infer<typeof Phase>;

/**
 * One sample of every memory layer. `i` is the number of iterations completed when it was taken
 * (0 = baseline before the first iteration). Byte fields are bytes; times are nanoseconds.
 */
export const Sample = z.object({
  i: z.number().int().nonnegative(),
  phase: Phase,
  /** Wall time of the iteration that just ended (ns); null for baseline and settle samples. */
  iterNs: nullableNum,
  /** ms since the cell process started measuring. */
  tMs: num,
  /** GC runs by kind, cumulative, from V8's --trace-gc; null where the host does not count them (a browser cell). */
  gcMinor: z.number().int().nullable(),
  gcMajor: z.number().int().nullable(),
  gcIncremental: z.number().int().nullable(),
  /** Not observable from --trace-gc: null (kept for the format's GC-by-kind row). */
  gcWeakCallbacks: z.number().int().nullable(),
  gcPauseNs: nullableNum,
  /**
   * Which process of the cell took the sample: 0 (absent) for the first; a cell run with --recycle, or continued
   * by run --resume, starts a fresh process for each further segment (see harness/cell.ts).
   */
  segment: z.number().int().positive().optional(),
  // Every memory layer of the layer table, in bytes; nullable ones may be absent in older runs (read as null).
  ...layerFields(),
});
export type Sample = z.infer<typeof Sample>;

/** The last iteration a series reached (its settle sample aside; 0 for a series without iterations). */
export const lastIteration = (samples: Sample[]): number => samples.reduce((m, s) => (s.phase === 'settle' ? m : Math.max(m, s.i)), 0);

export { LAYERS, type Layer };

export const GcPolicy = z.enum(['none', 'before-sample']);
export type GcPolicy = z.infer<typeof GcPolicy>;

/** The bounds of a sequential cell (`run --until-decided`), in iterations, warm-up included. */
export const SequentialSpec = z.object({
  minIterations: z.number().int().positive(),
  maxIterations: z.number().int().positive(),
});
export type SequentialSpec = z.infer<typeof SequentialSpec>;

/**
 * The harness's own probes in a cell's process, beside the backend's (absent: none — built-in backends measure
 * their own module exactly). `nativeModules`: fnmatch patterns of the shared objects whose C heap the preloaded
 * malloc interposer counts (null: not preloaded); `wasm`: every WebAssembly module the cell instantiates is found
 * and its allocator counted.
 */
export const ProbeSpec = z.object({
  nativeModules: z.array(z.string()).nullable(),
  wasm: z.boolean(),
});
export type ProbeSpec = z.infer<typeof ProbeSpec>;

/** Where a cell's backend runs (CellSpec.host). */
export const CellHost = z.enum(['node', 'chromium']);
export type CellHost = z.infer<typeof CellHost>;

export const CellSpec = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  backend: z.string(),
  /** Path of a user backend module (`--backend-module`), absolute; null for built-in backends. */
  backendModule: z.string().nullable(),
  model: z.string(),
  /** The fixture id as given (it names the cell). */
  fixture: z.string(),
  /** The fixture parsed once, when the run was planned (absent in older runs: parse `fixture`). */
  fixtureDef: FixtureDef.optional(),
  iterations: z.number().int().positive(),
  warmup: z.number().int().nonnegative(),
  /** An ODE model's protocol per iteration; null for a workload without one (a user's module). */
  durationMs: z.number().positive().nullable(),
  logIntervalMs: z.number().positive().nullable(),
  gc: GcPolicy,
  settle: z.boolean(),
  /** `--option name=value` for a user's backend module (absent: none). */
  backendOptions: z.record(z.string(), z.string()).optional(),
  /**
   * Worker recycling: a fresh process every this many iterations (each runs the warm-up again first, uncounted);
   * null or absent: one process for the whole cell.
   */
  recycle: z.number().int().positive().nullable().optional(),
  /**
   * `run --until-decided`: the cell stops at the first look of the sequential rule that decides it (analysis
   * sequential.ts), after at least `minIterations` for a no-leak and at most `maxIterations` (= `iterations`).
   * Null or absent: a fixed count.
   */
  sequential: SequentialSpec.nullable().optional(),
  probes: ProbeSpec.optional(),
  /**
   * Where the backend's module runs: 'node' (absent: the cell's own Node process) or 'chromium' (a page of headless
   * Chromium the cell's process drives over the DevTools protocol: @leakbench/browser-host).
   */
  host: CellHost.optional(),
});
export type CellSpec = z.infer<typeof CellSpec>;

export const CellStatus = z.enum(['pending', 'running', 'ok', 'crashed', 'timeout', 'interrupted', 'error']);
export type CellStatus = z.infer<typeof CellStatus>;

export const BuildInfo = z.object({
  backend: z.string(),
  compiler: z.string(),
  compilerVersion: z.string(),
  emccVersion: z.string().nullable(),
  sundialsVersion: z.string(),
  /** The build profile: its name and compile | link flags (workload/build-profile.json), or bare flags in older runs. */
  optFlags: z.string(),
  allocator: z.string(),
  /**
   * Which math functions the running build computes with, as far as they decide whether two backends' results
   * can be bit-identical (glibc's FMA variants or not; musl in WASM). Null in runs recorded before it was.
   */
  mathLibrary: z.string().nullable().default(null),
  /**
   * Where the module ran, when not in the run's Node (Environment.node): the browser and its V8 for a cell of the
   * browser host (CellSpec.host 'chromium'). Absent: the run's Node.
   */
  runtime: z.string().optional(),
});
export type BuildInfo = z.infer<typeof BuildInfo>;

export const CellRecord = z.object({
  spec: CellSpec,
  status: CellStatus,
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  samples: z.number().int().nonnegative(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  error: z.string().nullable(),
  build: BuildInfo.nullable(),
});
export type CellRecord = z.infer<typeof CellRecord>;

export const Environment = z.object({
  node: z.string(),
  v8: z.string(),
  os: z.string(),
  arch: z.string(),
  cpu: z.string(),
  cpus: z.number().int(),
  totalMemBytes: num,
  commit: z.string().nullable(),
  hostname: z.string(),
});
export type Environment = z.infer<typeof Environment>;

/**
 * How leakbench starts a process that measures (harness/host.ts): the host profile, extra node flags and
 * environment. `numerics`: whether glibc's FMA variants were masked so native results equal WASM's ('portable'),
 * or left to the CPU ('host' — every run recorded before the option existed).
 */
export const HostSettings = z.object({
  profile: z.enum(['stable', 'stock']),
  numerics: z.enum(['portable', 'host']).default('host'),
  nodeFlags: z.array(z.string()),
  env: z.record(z.string(), z.string()),
});
export type HostSettings = z.infer<typeof HostSettings>;

export const RunOptions = z.object({
  backends: z.array(z.string()),
  models: z.array(z.string()),
  fixtures: z.array(z.string()),
  iterations: z.number().int().positive(),
  warmup: z.number().int().nonnegative(),
  durationMs: z.number().positive().nullable(),
  logIntervalMs: z.number().positive().nullable(),
  gc: GcPolicy,
  jobs: z.number().int().positive(),
  cellTimeoutS: z.number().positive(),
  settle: z.boolean(),
  /** How cell processes are started (see HostSettings). */
  host: HostSettings,
  /**
   * `run --shard k/n`: this run holds the cells at positions k, k+n, k+2n, … (1-based) of the whole matrix, whose
   * cell ids `matrix` lists in plan order (what `merge` checks a set of shards against). Null for a whole run.
   */
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive(), matrix: z.array(z.string()) }).nullable().default(null),
  /** `run --recycle N`: every cell in a fresh process every N iterations (CellSpec.recycle); null: one process per cell. */
  recycle: z.number().int().positive().nullable().default(null),
  /** `run --until-decided`: every cell sequential within these bounds (CellSpec.sequential); null: fixed counts. */
  sequential: SequentialSpec.nullable().default(null),
});
export type RunOptions = z.infer<typeof RunOptions>;

export const RunManifest = z.object({
  schema: z.literal(RUN_SCHEMA),
  id: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  leakbenchVersion: z.string(),
  environment: Environment,
  options: RunOptions,
  cells: z.array(CellRecord),
  /** For a run made by `leakbench merge`: the shard runs it joined, each with the machine it ran on. */
  merged: z.array(z.object({ dir: z.string(), shard: z.string(), id: z.string(), environment: Environment })).default([]),
});
export type RunManifest = z.infer<typeof RunManifest>;

// ---- verdicts ----

export const Decision = z.enum(['leak', 'no-leak', 'inconclusive']);
export type Decision = z.infer<typeof Decision>;

export const LayerVerdict = z.object({
  layer: z.enum(LAYERS as [Layer, ...Layer[]]),
  decision: Decision,
  /** Units (bytes) per iteration, Theil–Sen over the measured part. */
  slope: num,
  /**
   * Value of the fitted line at iteration 0, so that a reader draws the verdict's own line (value = intercept +
   * slope × iteration) without fitting again. Null in runs analysed before it was stored.
   */
  intercept: z.number().nullable().default(null),
  /** Interval bounds; unbounded (±Infinity, stored as null in JSON) when the series is too short to bound them. */
  ciLow: z.number().nullable().transform((v) => v ?? -Infinity),
  ciHigh: z.number().nullable().transform((v) => v ?? Infinity),
  confidence: num,
  /** Two-sided p-value of the Mann–Kendall trend test (tie-corrected). */
  pValue: num,
  /** Index (in iterations) where measurement starts: explicit warm-up or detected end of warm-up. */
  warmupEnd: z.number().int().nonnegative(),
  warmupDetected: z.boolean(),
  /** Value change from baseline to the start of measurement: the one-time cost. */
  oneTime: num,
  /**
   * Where that change happened: the iterations from the first sample past 5 % of it to the first past 95 % (null
   * for no change, and in verdicts stored before it was recorded).
   */
  oneTimeAt: z.object({ from: z.number().int(), to: z.number().int() }).nullable().default(null),
  /** Total change over the measured part. */
  total: num,
  n: z.number().int(),
  /** Smallest per-iteration change this layer can resolve (e.g. page size for RSS). */
  resolution: num,
  /**
   * A single step that did not repeat, taken out of the series before the rate was judged (a one-time
   * allocation): its size and the iteration it landed in. Null when none was (and in runs analysed before).
   */
  setAside: z.object({ bytes: num, atIteration: z.number().int() }).nullable().default(null),
  /**
   * For an inconclusive layer whose rule names it: the iteration by which it will be decided (a step that has not
   * had time to repeat, growth that stopped, a host still warming up). Null otherwise.
   */
  decidedBy: z.number().int().nullable().default(null),
  /**
   * Growth judged bounded (no-leak): it rose by `bytes` until `untilIteration`, then stayed flat for
   * `flatIterations` (a cache or pool that filled). Null otherwise (and in runs analysed before it was kept).
   */
  bounded: z.object({ bytes: num, untilIteration: z.number().int(), flatIterations: z.number().int() }).nullable().default(null),
  /**
   * When `slope` is the attribution pass's (its heap snapshots measured the leak where the series could not, or
   * with V8's JIT on): the series' own slope, whose extra bytes the layers containing this one carry too. Null
   * otherwise (and in verdicts written before it was kept).
   */
  seriesSlope: z.number().nullable().default(null),
  /**
   * Which bound of the layer model decided (analysis verdict/decide.ts): the last regime's rate, or the flat stretch
   * at the end of the series. Null when undecided (and in verdicts written before the model).
   */
  rule: z.enum(['rate', 'flat-tail']).nullable().default(null),
  /** The change point the last regime starts at — a change of rate or a stop — or null (one regime). */
  change: z.object({ at: z.number().int(), kind: z.enum(['rate', 'stop']) }).nullable().default(null),
  reason: z.string(),
});
export type LayerVerdict = z.infer<typeof LayerVerdict>;

export const SettleCheck = z.object({
  /** Layer values of the last measured sample and of the settle sample. */
  before: z.record(z.string(), nullableNum),
  after: z.record(z.string(), nullableNum),
  /** Layers whose measured growth mostly (≥ 50 %) came back after GC + event-loop turns. */
  deferredLayers: z.array(z.string()),
});
export type SettleCheck = z.infer<typeof SettleCheck>;

/** One layer's part of a cell's growth, in bytes per iteration with its interval. */
export const LayerContribution = z.object({ layer: z.string(), where: z.enum(WHERES), bytesPerIteration: num, ciLow: num, ciHigh: num });

export const CellVerdict = z.object({
  schema: z.literal(VERDICT_SCHEMA),
  cellId: z.string(),
  decision: Decision,
  /** Layers that explain the growth, most specific first (heap / allocator / wasm), else rss-only. */
  explainedBy: z.array(z.string()),
  /**
   * The cell's bytes/iteration by layer, most bytes first: each leaking layer with the part of its growth that the
   * more exact layers it may contain had not already explained (no byte counted twice). Their sum is
   * bytesPerIteration. Empty for a cell that does not leak (and in runs analysed before it was stored).
   */
  attribution: z.array(LayerContribution).default([]),
  where: z.enum(WHERES).nullable(),
  bytesPerIteration: nullableNum,
  ciLow: nullableNum,
  ciHigh: nullableNum,
  oneTimeBytes: nullableNum,
  layers: z.array(LayerVerdict),
  settle: SettleCheck.nullable(),
  deferredFinalisation: z.boolean(),
  summary: z.string(),
  /** The C heap's layers no probe gave a value for (absent: every one was measured, or the run predates this). */
  notMeasured: z.array(z.string()).optional(),
  /**
   * Paged layers growing by more than the layers inside them explain, beyond their own floor — memory no finer layer
   * counts — with that part's rate and interval; not in `bytesPerIteration` (absent: none).
   */
  beyond: z.array(LayerContribution).optional(),
  /**
   * For a sequential cell (`run --until-decided`): the look that decided it — the verdict above is the cell's series
   * judged up to `decidedAt` at that look's levels — or, when none did by `maxIterations`, the last look (then
   * `decidedAt` is null). Absent for a fixed-count cell.
   */
  sequential: z
    .object({
      minIterations: z.number().int(),
      maxIterations: z.number().int(),
      /** The iteration of the look that decided the cell; null when no look did. */
      decidedAt: z.number().int().nullable(),
      /** The look's number (1 = first) and the iteration it judged up to. */
      look: z.number().int(),
      judgedTo: z.number().int(),
      /** The levels of that look (the run's alpha and 1 − confidence, spent across looks). */
      alpha: num,
      confidence: num,
      /** The last iteration the cell ran (a cell goes on for a few iterations while the look is taken). */
      ranTo: z.number().int(),
    })
    .optional(),
});
export type CellVerdict = z.infer<typeof CellVerdict>;

// ---- calibration (leakbench calibrate) ----

/** One independent trial: a fresh process running `iterations` of one fixture, and what the verdict said. */
export const CalibrationTrial = z.object({
  backend: z.string(),
  fixture: z.string(),
  iterations: z.number().int().positive(),
  trial: z.number().int().nonnegative(),
  decision: Decision,
  where: z.string().nullable(),
  bytesPerIteration: nullableNum,
  ciLow: nullableNum,
  ciHigh: nullableNum,
  /** The expected layer's own slope (even when the cell verdict is not a leak). */
  expectedLayerSlope: nullableNum,
  /**
   * Bytes/iteration the verdict attributed to the place the shape leaks into (its attribution parts with the
   * expected `where`); null when it attributed none there (and in calibrations from before it was kept).
   */
  bytesInPlace: nullableNum.default(null),
  /** A sequential trial (calibrate --until-decided): the iteration its deciding look judged up to (null: none did by the maximum), how far it ran, its warm-up. */
  sequential: z.object({ decidedAt: z.number().int().nullable(), ranTo: z.number().int(), warmup: z.number().int() }).optional(),
});
export type CalibrationTrial = z.infer<typeof CalibrationTrial>;

export const CalibrationSummary = z.object({
  backend: z.string(),
  fixture: z.string(),
  /** Where the fixture's leak must be located ('js-heap', 'c-allocator', 'external', 'rss-only'), or 'none'. */
  expectedWhere: z.string(),
  /** Bytes the fixture asks malloc for per iteration (0 for JS fixtures and none). */
  requestedBytes: z.number(),
  /** True growth per iteration in the fixture's layer, measured directly (in C through the shape's own path); null where it cannot be. */
  trueBytesPerIteration: nullableNum,
  /** Per iteration count: share of trials judged `leak` in the expected layer (or `no-leak` for none). */
  /**
   * Per iteration count: trials, how many were judged correctly, and the confusion row — how many were judged
   * leak, no-leak and inconclusive (the last two absent, read as null, in calibrations from before they were kept).
   */
  byIterations: z.array(
    z.object({
      iterations: z.number().int(),
      trials: z.number().int(),
      correct: z.number().int(),
      leak: z.number().int(),
      noLeak: z.number().int().nullable().default(null),
      inconclusive: z.number().int().nullable().default(null),
    }),
  ),
  /**
   * Smallest iteration count from which every trial (at it and above) was judged correctly — for a non-leak, from
   * which it is decided `no-leak` every time; null if never (and for `none` in calibrations from before).
   */
  iterationsToDetect: z.number().int().nullable(),
  /** For `none`: share of trials judged `leak` (false positives), over every iteration count. */
  falsePositiveRate: nullableNum,
  /**
   * Median bytes/iteration the verdicts attributed to the expected place, over the trials at the largest iteration
   * count judged leak there, and its error vs the true growth.
   */
  estimatedBytesPerIteration: nullableNum,
  relativeError: nullableNum,
  /**
   * Sequential trials (calibrate --until-decided): iterations to a decision (the deciding look's iteration, warm-up
   * included) — median and 95th percentile over all trials, an undecided trial counting as more than the maximum
   * (null when the percentile falls on one) — and how many trials a look decided.
   */
  sequential: z
    .object({ trials: z.number().int(), decided: z.number().int(), warmup: z.number().int(), medianDecidedAt: nullableNum, p95DecidedAt: nullableNum })
    .optional(),
});
export type CalibrationSummary = z.infer<typeof CalibrationSummary>;

export const CalibrationResult = z.object({
  schema: z.literal(CALIBRATION_SCHEMA),
  createdAt: z.string(),
  /** Where the trials ran (its commit: the code that recorded them). */
  environment: Environment,
  /**
   * When the stored trials were last judged (`leakbench calibrate --reanalyse`): the commit of the verdict rules and
   * the time. Null when the verdicts are those computed as the trials ran.
   */
  analysed: z.object({ commit: z.string().nullable(), at: z.string() }).nullable().default(null),
  options: z.object({
    backends: z.array(z.string()),
    fixtures: z.array(z.string()),
    iterationCounts: z.array(z.number().int()),
    trials: z.number().int(),
    noneTrials: z.number().int(),
    model: z.string(),
    /** The backend module calibrated (`calibrate --backend-module`, the path its trials loaded); null: built-ins. */
    backendModule: z.string().nullable().default(null),
    gc: GcPolicy,
    /** The cells' host profile (absent in calibrations from before it was recorded). */
    host: z.enum(['stable', 'stock']).nullable().default(null),
    /**
     * Whether trials had attribution passes that their verdicts read: every trial with calibrate --attribute; by
     * default those whose JS heap the JIT left unsettled (host profile stock).
     */
    attribute: z.boolean().default(false),
    /** Sequential trials (calibrate --until-decided): their bounds and warm-up; null for fixed counts. */
    sequential: z.object({ minIterations: z.number().int(), maxIterations: z.number().int(), warmup: z.number().int() }).nullable().default(null),
  }),
  summaries: z.array(CalibrationSummary),
  trials: z.array(CalibrationTrial),
});
export type CalibrationResult = z.infer<typeof CalibrationResult>;

// ---- attribution (leakbench run --attribute, leakbench attribute) ----

/** One step of a retainer path, from a GC root towards the growing objects: the holder and the edge it holds by. */
export const RetainerStep = z.object({ holder: z.string(), edge: z.string() });
export type RetainerStep = z.infer<typeof RetainerStep>;

/**
 * A group of JS heap objects that grew between the heap snapshots: objects of one constructor (closures by function,
 * other values by kind), with the internal storage they own (element and property stores, hash tables) folded in.
 */
export const JsSite = z.object({
  /** Constructor or function of the growing objects (strings, numbers and stores count with what holds them). */
  name: z.string(),
  /** V8's node type of the group ('object', 'closure', 'string', 'code', …). */
  type: z.string(),
  /** 'program': objects the program made; 'engine': V8's own (compiled code, feedback, maps) that the JIT grows. */
  owner: z.enum(['program', 'engine']),
  /** Net growth of the group over the whole interval between the first and last snapshot, per iteration. */
  bytesPerIteration: num,
  objectsPerIteration: num,
  /** Bytes of ArrayBuffer backing stores (external memory) the group's objects hold, growth per iteration. */
  externalBytesPerIteration: num,
  /** Growth per iteration in each interval between consecutive snapshots (a leak grows in every one). */
  intervals: z.array(num),
  /**
   * The same without the external bytes (ArrayBuffer backing stores): the JS heap's own growth per interval. Absent
   * in attributions made before it was kept.
   */
  heapIntervals: z.array(num).optional(),
  /** Objects of the group made after the first snapshot and alive at the last (memlab's "allocated and kept"). */
  keptObjects: z.number().int(),
  /** Stores (elements, tables) made after the first snapshot for objects that lived through every snapshot. */
  grownStores: z.number().int(),
  /** Shortest path from a GC root to a representative growing object (memlab's retainer trace). */
  retainers: z.array(RetainerStep),
  /**
   * Where the representative's constructor is defined (a closure: its function), from the snapshot — what finds a
   * minified library's `c`. 1-based line and column; null for literals, arrays and built-ins, and in older attributions.
   */
  definedAt: z.object({ script: z.string().nullable(), line: z.number().int(), column: z.number().int() }).nullable().default(null),
});
export type JsSite = z.infer<typeof JsSite>;

/** An allocation site of the module's C heap whose live bytes grew in every interval between the snapshots. */
export const CSite = z.object({
  /** The allocating call site as one line: function (file:line) of the innermost frame after the allocator wrapper. */
  site: z.string(),
  function: z.string().nullable(),
  file: z.string().nullable(),
  line: z.number().int().nullable(),
  /**
   * What named the site's frame: the module's DWARF, its ELF symbol table or wasm name section (no line), nothing
   * (the module's file name and offset, or a wasm function's index); null when the backend gave the frame already named.
   */
  nameSource: z.enum(['dwarf', 'symbol table', 'name section', 'address']).nullable().default(null),
  /** The whole allocation stack, innermost first, inlined calls as frames of their own. */
  stack: z.array(z.string()),
  bytesPerIteration: num,
  blocksPerIteration: num,
  intervals: z.array(num),
  /** Blocks allocated in the first interval and still live at the last snapshot. */
  keptBlocks: z.number(),
  /**
   * The site's growth by the frame that called it (function (file:line)), most first, when more than one did — a
   * library's allocation wrapper is the site of all its blocks, its callers say which grow. Empty with one caller.
   */
  callers: z.array(z.object({ caller: z.string(), bytesPerIteration: num })).default([]),
});
export type CSite = z.infer<typeof CSite>;

/** A store outside the heaps the snapshots and C sites see that grew in every interval: a WebAssembly linear memory. */
export const StoreSite = z.object({
  kind: z.literal('WebAssembly.Memory'),
  /** The script that instantiated the module (the probe's `instantiatedBy`), or null. */
  module: z.string().nullable(),
  /** sha256 of the module's bytes, first 12 hex digits. */
  hash: z.string(),
  bytesPerIteration: num,
  intervals: z.array(num),
  /** Its size at the last snapshot point. */
  bytes: num,
});
export type StoreSite = z.infer<typeof StoreSite>;

export const Attribution = z.object({
  schema: z.literal(ATTRIBUTION_SCHEMA),
  cellId: z.string(),
  createdAt: z.string(),
  /** Commit of the code that took and analysed the snapshots. */
  commit: z.string().nullable(),
  /** The attribution pass: a fresh process running the cell again, snapshots after these iterations. */
  iterations: z.number().int().positive(),
  snapshots: z.array(
    z.object({
      iteration: z.number().int().nonnegative(),
      /** File name inside the cell's attribution directory. */
      file: z.string(),
      /** Sum of self sizes of every node, and the node count. */
      heapBytes: num,
      nodes: z.number().int(),
    }),
  ),
  js: z.object({
    /** Growing groups, most bytes first: program sites, then V8's own. */
    sites: z.array(JsSite),
    /** Sums over the growing sites by owner, bytes per iteration. */
    programBytesPerIteration: num,
    engineBytesPerIteration: num,
  }),
  /**
   * The module's C heap by allocation site, when the backend offers site tracking (Backend.allocationSites) or the
   * harness's malloc interposer counts the module's heap; null otherwise. `symbolizer`: the symboliser's version line.
   */
  c: z
    .object({
      symbolizer: z.string(),
      sites: z.array(CSite),
      bytesPerIteration: num,
      /** Each module the stacks point into, and what it offered the symboliser (see ModuleNaming in @leakbench/attribution). */
      modules: z.array(z.object({ module: z.string(), debugInfo: z.boolean(), symbolTables: z.array(z.string()), naming: z.string() })).default([]),
    })
    .nullable()
    .default(null),
  /** Why `c` is null: what the pass could not record C heap sites of (the backend, the module), in words. */
  cNotRecorded: z.string().nullable().default(null),
  /** Linear memories that grew in every interval, with their modules (empty when none did, or none was looked at). */
  stores: z.array(StoreSite).default([]),
  /** Wall time of the attribution pass (process start to analysis end), ms. */
  wallMs: num,
});
export type Attribution = z.infer<typeof Attribution>;

/** A ratio of median times with its bootstrap interval (analysis medianRatio). */
export const RatioEstimate = z.object({
  /** median(numerator) / median(denominator). */
  ratio: num,
  ciLow: num,
  ciHigh: num,
  level: num,
  resamples: z.number().int().positive(),
  paired: z.boolean(),
  /** Processes the paired rounds came from, resampled first (1: rounds of one process, or unpaired series). */
  processes: z.number().int().positive().default(1),
});
export type RatioEstimate = z.infer<typeof RatioEstimate>;

/**
 * `leakbench bench`: backends timed side by side in fresh processes per host profile, call by call in interleaved rounds (the
 * order rotated each round), after a warm-up; per model, whether they computed the same thing, their median
 * times and every other backend's time ratio to the first (the baseline) with a paired bootstrap interval.
 */
export const BenchResult = z.object({
  schema: z.literal(BENCH_SCHEMA),
  createdAt: z.string(),
  environment: Environment,
  options: z.object({
    /** The first is the baseline every ratio divides by. */
    backends: z.array(z.string()),
    models: z.array(z.string()),
    /** Measured rounds per process. */
    rounds: z.number().int().positive(),
    warmup: z.number().int().nonnegative(),
    /** Fresh processes per host profile, each with its warm-up and rounds (1 in benches before the option). */
    processes: z.number().int().positive().default(1),
    /** Simulated ms per call; null: each model's default. */
    durationMs: z.number().positive().nullable(),
  }),
  /** Each backend's build, as it reported itself (build profile, math library). */
  builds: z.record(z.string(), BuildInfo),
  hosts: z.array(
    z.object({
      /** How the bench process was started (harness host.ts), as a cell is. */
      host: HostSettings,
      models: z.array(
        z.object({
          model: z.string(),
          /** Simulated ms per call; null for a workload without a protocol. */
          durationMs: num.nullable(),
          /** Whether every backend's trace equals the baseline's bit for bit, with the same solver statistics (in every process). */
          identical: z.boolean(),
          /** Largest absolute difference of any traced value from the baseline's (0 when identical). */
          maxAbsDifference: num,
          /** CVODE steps per call, by backend. */
          steps: z.record(z.string(), z.number().int()),
          /**
           * Milliseconds per call of each measured round, by backend (round k of every backend side by side): the
           * first process's rounds, then the next's (`options.rounds` each).
           */
          timesMs: z.record(z.string(), z.array(num)),
          medianMs: z.record(z.string(), num),
          /** Every backend but the baseline: its median time over the baseline's. */
          ratios: z.record(z.string(), RatioEstimate),
          /**
           * `bench --profile`: where each backend's time goes. Each backend's calls sampled by perf in a process of
           * their own (`files`: its perf.data by backend, in the directory given to --profile, with perf's report beside it as .txt; `samples` in the workload's code; `workloadShare`: their
           * share of the process's samples); `functions`: the largest, each with its ms per call by backend —
           * its share of the workload's samples times the backend's median time per call.
           */
          profile: z
            .object({
              files: z.record(z.string(), z.string()),
              samples: z.record(z.string(), z.number().int()),
              workloadShare: z.record(z.string(), num),
              functions: z.array(z.object({ function: z.string(), msPerCall: z.record(z.string(), num) })),
            })
            .nullable()
            .default(null),
        }),
      ),
    }),
  ),
});
export type BenchResult = z.infer<typeof BenchResult>;
