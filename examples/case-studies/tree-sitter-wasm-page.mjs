// Case study in a page: tree-sitter-wasm.mjs as a web app loads web-tree-sitter — the grammar's prebuilt .wasm
// imported as a URL and its input text bundled (a browser bundler's way; there is no file system in a page). The
// same library, grammar, input and workloads:
//   no-delete — each parse tree dropped without tree.delete() (the module's C heap grows per call);
//   delete    — tree.delete() after use (nothing grows).
//   npx leakbench run --backend-module examples/case-studies/tree-sitter-wasm-page.mjs --runtime chromium --iterations 300
import { Parser, Language } from 'web-tree-sitter';
import grammarUrl from 'tree-sitter-javascript/tree-sitter-javascript.wasm';
import source from 'tree-sitter/index.js' with { type: 'text' };

export async function load() {
  await Parser.init();
  const JavaScript = await Language.load(grammarUrl);
  const parser = new Parser();
  parser.setLanguage(JavaScript);
  return {
    id: 'tree-sitter-wasm',
    description: 'web-tree-sitter 0.25.10 (emscripten) parsing a 27 kB JavaScript file, in a page',
    workloads: [
      { id: 'no-delete', title: 'each parse tree dropped without tree.delete() (leak)' },
      { id: 'delete', title: 'tree.delete() after each parse (no leak)' },
    ],
    iterate({ workload }) {
      const tree = parser.parse(source);
      if (!tree || tree.rootNode.hasError) throw new Error('tree-sitter/index.js did not parse cleanly');
      if (workload === 'delete') tree.delete();
    },
  };
}
