// The truth of each case study's leak, measured outside leakbench: no leakbench code and no plug-in is loaded here.
// Each library is driven the same way its plug-in drives it (the same pinned input), in this process, and the
// bytes one iteration leaves behind are read from the C allocator itself:
//   native — glibc's own count of bytes in use (mallinfo2: uordblks + hblkhd), read through koffi (an FFI from the
//            registry), after a full GC, before and after N iterations;
//   WASM   — where the allocator's top is: a block far larger than any free hole comes from the top of the heap, so
//            its address moves up by exactly the bytes (chunk headers included) the N iterations left in use below
//            it. Read with the module's own malloc/free, before and after N iterations.
// Prints one JSON line per case: C allocator bytes per iteration for the misuse and for the correct use. (The JS
// objects a misuse keeps — sql.js's Statement handles, 88–160 B — are not part of this truth: in a plain process
// V8's heap moves by hundreds of bytes per iteration as its JIT warms, e.g. −550 B/iteration over web-tree-sitter's
// 400 parses.)
//   node --expose-gc examples/case-studies/truth/truth.mjs [case ...]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
if (typeof globalThis.gc !== 'function') {
  console.error('truth.mjs: run with node --expose-gc (a full GC before each reading)');
  process.exit(2);
}

/** The parsed text of both tree-sitter cases (as their plug-ins parse it). */
const SOURCE = readFileSync(require.resolve('tree-sitter/index.js'), 'utf8');
const QUERY = 'SELECT id, name, score * 2 AS doubled FROM items WHERE id = ? AND score > ?';
const WARMUP = 30;
const BIG = 64 << 20; // larger than any free hole the workloads leave: served from the top of the heap

/** Full GCs, with a turn of the event loop after each: Node-API finalizers (a native tree's) run there. */
async function settle() {
  for (let k = 0; k < 3; k++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function glibcInUse() {
  const koffi = require('koffi');
  const libc = koffi.load('libc.so.6');
  const Mallinfo2 = koffi.struct('lb_truth_mallinfo2', {
    arena: 'size_t', ordblks: 'size_t', smblks: 'size_t', hblks: 'size_t', hblkhd: 'size_t',
    usmblks: 'size_t', fsmblks: 'size_t', uordblks: 'size_t', fordblks: 'size_t', keepcost: 'size_t',
  });
  const mallinfo2 = libc.func('mallinfo2', Mallinfo2, []);
  return async () => {
    await settle();
    const m = mallinfo2();
    return Number(m.uordblks) + Number(m.hblkhd);
  };
}

/** Where a block of BIG bytes would start: the allocator's top (freed at once). */
function topOf(malloc, free) {
  return async () => {
    await settle();
    const p = malloc(BIG);
    if (!p) throw new Error(`the module's malloc(${BIG}) failed`);
    free(p);
    return p >>> 0;
  };
}

/** Captures the exports of every WebAssembly instance created from now on (web-tree-sitter hides its module). */
function captureInstances() {
  const instances = [];
  const original = WebAssembly.instantiate;
  WebAssembly.instantiate = async function (...args) {
    const result = await original.apply(this, args);
    instances.push((result.instance ?? result).exports);
    return result;
  };
  return instances;
}

const CASES = {
  async 'tree-sitter-native'() {
    const Parser = require('tree-sitter');
    const parser = new Parser();
    parser.setLanguage(require('tree-sitter-javascript'));
    const kept = [];
    return {
      layer: 'glibc (mallinfo2)', read: glibcInUse(), n: 200,
      misuse: () => kept.push(parser.parse(SOURCE)),
      correct: () => void parser.parse(SOURCE),
    };
  },
  async 'tree-sitter-wasm'() {
    const instances = captureInstances();
    const { Parser, Language } = await import('web-tree-sitter');
    await Parser.init();
    const parser = new Parser();
    parser.setLanguage(await Language.load(require.resolve('tree-sitter-javascript/tree-sitter-javascript.wasm')));
    const main = instances.find((e) => typeof e.malloc === 'function' && typeof e.free === 'function');
    if (!main) throw new Error('web-tree-sitter: no instance exports malloc and free');
    return {
      layer: 'dlmalloc top', read: topOf(main.malloc, main.free), n: 400,
      misuse: () => void parser.parse(SOURCE),
      correct: () => parser.parse(SOURCE).delete(),
    };
  },
  async 'sql-js'() {
    const SQL = await require('sql.js')();
    const db = new SQL.Database();
    db.run('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, score REAL)');
    for (let k = 0; k < 100; k++) db.run('INSERT INTO items VALUES (?, ?, ?)', [k, `item ${k}`, k / 3]);
    let n = 0;
    const statement = () => {
      const stmt = db.prepare(QUERY);
      stmt.bind([n++ % 100, -1]);
      stmt.step();
      stmt.getAsObject();
      return stmt;
    };
    return {
      layer: 'dlmalloc top', read: topOf(SQL._malloc, SQL._free), n: 5000,
      misuse: () => void statement(),
      correct: () => statement().free(),
    };
  },
  async yoga() {
    const dir = require.resolve('yoga-layout').replace(/dist\/src\/.*$/, 'dist/');
    const { default: factory } = await import(`${dir}binaries/yoga-wasm-base64-esm.js`);
    const { default: wrap } = await import(`${dir}src/wrapAssembly.js`);
    const module = await factory();
    const Yoga = wrap(module);
    const tree = () => {
      const root = Yoga.Node.create();
      root.setFlexDirection(2); // FlexDirection.Row
      root.setWidth(1000);
      root.setHeight(100);
      for (let k = 0; k < 20; k++) {
        const child = Yoga.Node.create();
        child.setFlexGrow(1);
        child.setMargin(0, k % 3);
        root.insertChild(child, k);
      }
      root.calculateLayout(undefined, undefined);
      return root;
    };
    return {
      layer: 'allocator top', read: topOf(module._malloc, module._free), n: 2000,
      misuse: () => void tree(),
      correct: () => tree().freeRecursive(),
    };
  },
};

async function measure(name) {
  const c = await CASES[name]();
  const perIteration = async (work) => {
    for (let k = 0; k < WARMUP; k++) work();
    const before = await c.read();
    for (let k = 0; k < c.n; k++) work();
    return ((await c.read()) - before) / c.n;
  };
  const correct = await perIteration(c.correct); // first: the misuse's leaked blocks would sit below the top
  const misuse = await perIteration(c.misuse);
  return { case: name, layer: c.layer, iterations: c.n, misuseBytesPerIteration: misuse, correctBytesPerIteration: correct };
}

const asked = process.argv.slice(2);
const unknown = asked.filter((a) => !(a in CASES));
if (unknown.length) {
  console.error(`truth.mjs: unknown case ${unknown.join(', ')}; accepted: ${Object.keys(CASES).join(', ')}`);
  process.exit(2);
}
for (const name of asked.length ? asked : Object.keys(CASES)) console.log(JSON.stringify(await measure(name)));
