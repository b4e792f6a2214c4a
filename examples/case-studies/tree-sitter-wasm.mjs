// Case study: tree-sitter's emscripten build (`web-tree-sitter` 0.25.10 with the `tree-sitter-javascript` 0.25.0
// grammar's prebuilt .wasm, a side module). Each iteration parses the same JavaScript source. A WASM tree lives in
// the module's dlmalloc heap until `tree.delete()` ("Delete the syntax tree, freeing its resources", the API's own
// documentation); JS garbage collection never frees it:
//   no-delete — the tree is dropped without delete() (the C heap grows per call);
//   delete    — tree.delete() after use (nothing grows).
//   npx leakbench run --backend-module examples/case-studies/tree-sitter-wasm.mjs --iterations 300
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);

/** The same pinned text as the native case study parses. */
export const SOURCE_FILE = require.resolve('tree-sitter/index.js');

export async function load() {
  const { Parser, Language } = await import('web-tree-sitter');
  await Parser.init();
  const JavaScript = await Language.load(require.resolve('tree-sitter-javascript/tree-sitter-javascript.wasm'));
  const parser = new Parser();
  parser.setLanguage(JavaScript);
  const source = readFileSync(SOURCE_FILE, 'utf8');
  return {
    id: 'tree-sitter-wasm',
    description: 'web-tree-sitter 0.25.10 (emscripten) parsing a 27 kB JavaScript file',
    workloads: [
      { id: 'no-delete', title: 'each parse tree dropped without tree.delete() (leak)' },
      { id: 'delete', title: 'tree.delete() after each parse (no leak)' },
    ],
    iterate({ workload }) {
      const tree = parser.parse(source);
      if (!tree || tree.rootNode.hasError) throw new Error(`${SOURCE_FILE} did not parse cleanly`);
      if (workload === 'delete') tree.delete();
    },
  };
}
