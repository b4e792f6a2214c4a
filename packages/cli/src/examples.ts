// Examples under each command's --help: what a newcomer types first, as written in the README and docs (every
// line here runs on a fresh checkout after the README's set-up; test/docs-commands.test.ts checks each option).
import type { Command } from 'commander';

const EXAMPLES: Record<string, { line: string; what: string }[]> = {
  simulate: [{ line: 'npx leakbench simulate --backend wasm --model hh1952 --duration 100 --log-interval 1 --format csv', what: 'one solve, its trace as CSV' }],
  list: [{ line: 'npx leakbench list', what: 'backends, models and the fixture zoo (layer, leak or not)' }],
  run: [
    { line: 'npx leakbench run --fixtures none,double --iterations 200 --out runs/mine', what: 'both backends, the real workload and a leaked double' },
    { line: 'npx leakbench run --until-decided --out runs/quick', what: 'each cell stops at the look that decides it' },
    { line: 'npx leakbench run --backends wasm,wasm-chromium --fixtures none,double --out runs/page', what: 'the WASM module in Node and in a page of headless Chromium' },
    { line: 'npx leakbench run --backend-module examples/minimal-backend.mjs --option keep=1 --iterations 200', what: 'your own module (here: a leak in the JS heap)' },
    { line: 'npx leakbench run --backend-module examples/case-studies/sql-js.mjs --runtime chromium --out runs/sql-page', what: 'your own WebAssembly module in pages of headless Chromium' },
  ],
  attribute: [{ line: 'npx leakbench attribute runs/mine --cells native-lr1991-double', what: 'where a cell leaks: JS objects and their retainers, C allocation sites' }],
  check: [
    { line: 'npx leakbench check runs/mine', what: 'CI gate: exit 1 when the real workload leaks or is undecided' },
    { line: 'npx leakbench check runs/mine --baseline runs/main --junit runs/junit.xml', what: 'also against a baseline run, with JUnit XML' },
  ],
  analyse: [{ line: 'npx leakbench analyse runs/mine', what: "every cell's verdict again from its stored series" }],
  merge: [{ line: 'npx leakbench merge runs/shard-1 runs/shard-2 runs/shard-3 --out runs/merged', what: 'join the shards of one matrix (run --shard k/n)' }],
  calibrate: [
    { line: 'npx leakbench calibrate --out runs/calibration', what: 'independent trials of every zoo shape: detection, false leaks, size error' },
    { line: 'npx leakbench calibrate --reanalyse runs/calibration', what: 'judge the stored trials again with the current rules' },
  ],
  bench: [
    { line: 'npx leakbench bench --models hh1952,lr1991 --host stable,stock', what: 'both backends timed side by side, the same work bit for bit' },
    { line: 'npx leakbench bench --backends native,wasm,wasm-chromium', what: 'and the WASM module in a page of headless Chromium beside them' },
    { line: 'npx leakbench bench --backend-module examples/case-studies/sql-js.mjs --runtime node,chromium --models free', what: 'your own module in Node and in a page' },
  ],
  report: [{ line: 'npx leakbench report runs/mine --out site', what: 'a static site of one or more runs' }],
};

/** Adds each command's examples after its help; a command without examples is a mistake, said at once. */
export function addExamples(program: Command): void {
  for (const cmd of program.commands) {
    const examples = EXAMPLES[cmd.name()];
    if (!examples) throw new Error(`no --help examples for command '${cmd.name()}' (packages/cli/src/examples.ts)`);
    cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  # ${e.what}\n  ${e.line}`).join('\n')}\n`);
  }
}
