// Case study: tree-sitter's Node-API addon (`tree-sitter` 0.25.1, built by its own install script, with the
// prebuilt `tree-sitter-javascript` 0.25.0 grammar). Each iteration parses the same JavaScript source. A tree's C
// memory belongs to the addon and is freed when the JS `Tree` that owns it is collected, so the leak is the caller's:
//   keep-trees — a parse cache without eviction: every tree kept alive in a JS array (the C heap grows per call);
//   drop-trees — each tree dropped after use, as the binding expects (nothing grows).
//   npx leakbench run --backend-module examples/case-studies/tree-sitter-native.mjs --iterations 300
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);

/** The parsed text: a pinned file of a pinned package, so every machine parses the same bytes. */
export const SOURCE_FILE = require.resolve('tree-sitter/index.js');

export async function load() {
  const Parser = require('tree-sitter');
  const JavaScript = require('tree-sitter-javascript');
  const parser = new Parser();
  parser.setLanguage(JavaScript);
  const source = readFileSync(SOURCE_FILE, 'utf8');
  const kept = [];
  return {
    id: 'tree-sitter-native',
    description: 'tree-sitter 0.25.1 Node-API addon parsing a 27 kB JavaScript file',
    workloads: [
      { id: 'keep-trees', title: 'every parse tree kept by the caller (leak)' },
      { id: 'drop-trees', title: 'each parse tree dropped after use (no leak)' },
    ],
    iterate({ workload }) {
      const tree = parser.parse(source);
      if (tree.rootNode.hasError) throw new Error(`${SOURCE_FILE} did not parse cleanly`);
      if (workload === 'keep-trees') kept.push(tree);
    },
  };
}
