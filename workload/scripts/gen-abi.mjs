#!/usr/bin/env node
// Writes the C header and the TypeScript module of the workload ABI from abi.json, the one source of every
// constant that C and TypeScript share. `--check` writes nothing and exits 1 when a generated file is stale.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (rel) => fileURLToPath(new URL(`../${rel}`, import.meta.url));
const abi = JSON.parse(readFileSync(here('abi.json'), 'utf8'));
const banner = 'Generated from workload/abi.json by workload/scripts/gen-abi.mjs: edit abi.json, not this file.';

const cEnum = (prefix, group) =>
  `enum {\n${Object.entries(group).map(([k, v]) => `  LB_${prefix}${k} = ${v.value}, /* ${v.doc} */`).join('\n')}\n};`;
const header = `/* ${banner} */
#ifndef LEAKBENCH_ABI_H
#define LEAKBENCH_ABI_H

/* Return codes of lb_simulate. */
${cEnum('', abi.returnCodes)}

/* Fixture kinds, chosen per call. */
${cEnum('FIXTURE_', abi.fixtureKinds)}

${Object.entries(abi.limits).map(([k, v]) => `/* ${v.doc} */\n#define LB_${k} ${v.value}`).join('\n')}

#endif
`;

const tsGroup = (group) => `{\n${Object.entries(group).map(([k, v]) => `  /** ${v.doc} */\n  ${k}: ${v.value},`).join('\n')}\n}`;
const ts = `// ${banner}
export const RETURN_CODES = ${tsGroup(abi.returnCodes)} as const;

export const FIXTURE_KINDS = ${tsGroup(abi.fixtureKinds)} as const;

export const LIMITS = ${tsGroup(abi.limits)} as const;
`;

const outputs = [
  [here('include/leakbench_abi.h'), header],
  [here('ts/abi.ts'), ts],
];
if (process.argv.includes('--check')) {
  const stale = outputs.filter(([path, text]) => !existsSync(path) || readFileSync(path, 'utf8') !== text).map(([path]) => path);
  if (stale.length) {
    process.stderr.write(`stale generated ABI file(s): ${stale.join(', ')}; run: node workload/scripts/gen-abi.mjs\n`);
    process.exit(1);
  }
} else {
  for (const [path, text] of outputs) if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
}
