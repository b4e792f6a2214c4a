// `node rewrite-main.js <in.wasm> <out.wasm> [<hints-json> [<frames>]]`: instruments a module's allocator (rewrite.ts) in a process of its
// own, for a cell that must not load Binaryen itself. Writes the module to <out.wasm> (when it could be
// instrumented) and prints what was done as one JSON line: { allocator, wrapped, namesFrom, functions } or { reason }.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { instrumentAllocator } from './rewrite.js';

const [input, output, hintsJson, frames] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: rewrite-main <in.wasm> <out.wasm>\n');
  process.exit(2);
}
const result = instrumentAllocator(readFileSync(input), hintsJson ? (JSON.parse(hintsJson) as Record<string, string>) : {}, { frames: Number(frames ?? 0) });
if (result.bytes) {
  writeFileSync(`${output}.tmp${process.pid}`, result.bytes);
  renameSync(`${output}.tmp${process.pid}`, output); // atomic: cells of a parallel run share the cache
  process.stdout.write(JSON.stringify({ allocator: result.allocator, wrapped: result.wrapped, namesFrom: result.namesFrom, functions: result.functions }) + '\n');
} else process.stdout.write(JSON.stringify({ reason: result.reason }) + '\n');
