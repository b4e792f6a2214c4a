// A user's module (`--backend-module <path> --runtime chromium`) made into a page build: bundled by esbuild for the
// browser — its npm dependencies resolved as in Node, one ES module out — and the files its code fetches beside
// itself served by name: an emscripten module asks for `<name>.wasm` relative to the page or to the script, and
// the bundle is neither where it was written, so the file is found among the files beside the bundle's sources
// (sql.js's dist/sql-wasm.wasm beside dist/sql-wasm.js). A module that cannot run in a page is refused before any
// cell starts: one that imports a Node built-in at its top (a page has none), or one that never names the
// WebAssembly API (the browser host measures WebAssembly; a JS-only module runs in Node).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { TraceMap, traceSegment } from '@jridgewell/trace-mapping';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError, writeFileAtomic } from '@leakbench/core/cell';
import type { PageBuild } from './cell.js';

const BUILTINS = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** The first error esbuild gives, as "file:line: text". */
function esbuildMessage(e: unknown): string {
  const first = (e as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors?.[0];
  if (!first) return (e as Error).message;
  return first.location ? `${first.location.file}:${first.location.line}: ${first.text}` : first.text;
}

/**
 * Bundles the module at `path` for a page (a plan asks before any cell starts, and each cell's process again);
 * throws UsageError naming why it cannot run in a page. esbuild loads here: only a page cell needs it.
 */
export async function bundleForPage(path: string): Promise<PageBuild> {
  const esbuild = await import('esbuild');
  const abs = resolve(path);
  if (!statSync(abs, { throwIfNoEntry: false })?.isFile()) throw new UsageError(`--backend-module ${path}: no such file`);
  const what = `--backend-module ${path} in a page`;
  let result: import('esbuild').BuildResult<{ write: false; metafile: true }>;
  try {
    result = await esbuild.build({
      entryPoints: [abs],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      metafile: true,
      // The probe names the script that instantiated a module by its source (sql.js's dist/sql-wasm.js), as in Node.
      sourcemap: 'external',
      sourcesContent: false,
      outfile: 'module.js',
      logLevel: 'silent',
      // A .wasm the module imports is its URL, as with a browser bundler: the file is served beside the bundle.
      loader: { '.wasm': 'file' },
      assetNames: '[name]-[hash]',
      // What browser bundlers define, so that a library's `process.env.NODE_ENV` checks do not throw in a page.
      define: { 'process.env.NODE_ENV': '"production"' },
      // A Node built-in required or imported dynamically inside a branch the page never takes (emscripten's
      // `if (ENVIRONMENT_IS_NODE) require('fs')`) stays a call that would fail there; one imported at a module's
      // top is refused below.
      external: BUILTINS,
    });
  } catch (e) {
    throw new UsageError(`${what}: esbuild could not bundle it for the browser (${esbuildMessage(e)})`);
  }
  const output = Object.entries(result.metafile.outputs).find(([name]) => name.endsWith('.js'))![1];
  const topLevel = output.imports.filter((i) => i.external && i.kind === 'import-statement').map((i) => i.path);
  if (topLevel.length) {
    throw new UsageError(`${what}: it imports Node's built-in ${[...new Set(topLevel)].join(', ')}, which a page does not have (load the library with import and let it fetch its .wasm; keep Node-only code behind a require() it does not reach in a page)`);
  }
  const text = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
  if (!text.includes('WebAssembly')) {
    throw new UsageError(`${what}: its bundle never names the WebAssembly API — the browser host measures WebAssembly modules; a JS-only module runs in Node (leave out --runtime chromium)`);
  }
  const dir = join(tmpdir(), `leakbench-page-${process.getuid?.() ?? 0}`, createHash('sha256').update(abs).digest('hex').slice(0, 12));
  // Named after the module: a position no source map covers still reads as the user's.
  const entry = `${basename(abs).replace(/\.[cm]?[jt]s$/, '')}.page.js`;
  const file = join(dir, entry);
  // Written whole, then renamed into place: cells (and plans) of one module bundle it at the same time.
  writeFileAtomic(file, text);
  // The map's sources are relative to where esbuild thought it wrote (the working directory): made absolute here.
  const cwd = process.cwd();
  const parsed = JSON.parse(map) as { sources: string[] };
  parsed.sources = parsed.sources.map((source) => resolve(cwd, source));
  writeFileAtomic(`${file}.map`, JSON.stringify(parsed));
  // The directories of the bundle's sources, in the order esbuild met them: where a fetched file is looked up.
  const assetDirs = [...new Set(Object.keys(result.metafile.inputs).map((input) => dirname(resolve(cwd, input))))];
  // Files the module imports as URLs (.wasm), served by their names beside the bundle.
  const files: Record<string, string> = { [entry]: file };
  for (const out of result.outputFiles) {
    if (out.path.endsWith('.js') || out.path.endsWith('.map')) continue;
    const name = basename(out.path);
    writeFileAtomic(join(dir, name), out.contents);
    files[name] = join(dir, name);
  }
  return { entry, files, assetDirs, sourceMaps: { [entry]: `${file}.map` } };
}

/**
 * The file a page asks for by `path` when no route names it: one of the build's own files of that name (a URL the
 * module imported, resolved against the page rather than the bundle), else the file of that name beside one of
 * the build's sources (the first directory that has one), or null.
 */
export function findAsset(build: PageBuild, path: string): string | null {
  const name = basename(path);
  if (!name || name === '.' || name === '..') return null;
  if (Object.hasOwn(build.files, name)) return build.files[name]!;
  if (!build.assetDirs) return null;
  for (const dir of build.assetDirs) {
    const file = join(dir, name);
    if (statSync(file, { throwIfNoEntry: false })?.isFile()) return file;
  }
  return null;
}

/**
 * The source file and line a position in a served file comes from: through the build's source map when it has one
 * for that file (a bundle), else the file itself. `file` is a served file's path.
 */
export function originalSource(build: PageBuild, name: string, file: string, line: number, column: number): string {
  const mapFile = build.sourceMaps?.[name];
  if (!mapFile) return file;
  // esbuild follows its inputs' own source maps: a library's original source, when it shipped one (web-tree-sitter's
  // lib/tree-sitter.mjs), where its glue's names are read. One not on disk (a map's virtual path) names the bundle.
  const source = originalPosition(mapFile, line, column)?.source;
  return source && statSync(source, { throwIfNoEntry: false })?.isFile() ? source : file;
}

const maps = new Map<string, TraceMap>();
function traceMap(mapFile: string): TraceMap {
  let map = maps.get(mapFile);
  if (!map) maps.set(mapFile, (map = new TraceMap(readFileSync(mapFile, 'utf8'))));
  return map;
}

/**
 * A position in a bundle (1-based line and column, as a heap snapshot's definition is given) in its source, through
 * the bundle's source map; null when the map has no mapping there. A mapping starts at a token (a function's name):
 * the position's distance from it is kept (V8 places a function at its parameters' parenthesis).
 */
export function originalPosition(mapFile: string, line: number, column: number): { source: string; line: number; column: number } | null {
  const map = traceMap(mapFile);
  const segment = traceSegment(map, line - 1, Math.max(0, column - 1));
  if (!segment || segment.length < 4) return null;
  const [generated, source, sourceLine, sourceColumn] = segment as [number, number, number, number];
  const name = map.resolvedSources[source];
  return name ? { source: name, line: sourceLine + 1, column: sourceColumn + (column - 1 - generated) + 1 } : null;
}
