#!/usr/bin/env node
// Prints the flags of one build profile for one target from workload/build-profile.json, the single source both
// backends and SUNDIALS are built from:  build-flags.mjs <release|debug> <native|wasm> <compile|link|name>
// LEAKBENCH_BUILD_PROFILE=<file> reads another file of the same shape (to measure a choice with leakbench bench).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const [profileName, target, part] = process.argv.slice(2);
const file = process.env.LEAKBENCH_BUILD_PROFILE ? resolve(process.env.LEAKBENCH_BUILD_PROFILE) : new URL('../workload/build-profile.json', import.meta.url);
if (process.env.LEAKBENCH_BUILD_PROFILE && !existsSync(file)) {
  process.stderr.write(`build-flags: LEAKBENCH_BUILD_PROFILE=${process.env.LEAKBENCH_BUILD_PROFILE}: no such file\n`);
  process.exit(2);
}
let profiles;
try {
  profiles = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  process.stderr.write(`build-flags: ${file} is not a build profile (${e.message})\n`);
  process.exit(2);
}
const profile = profiles[profileName];
const fail = (msg) => {
  process.stderr.write(`build-flags: ${msg}\n`);
  process.exit(2);
};
if (!profile?.targets || profileName.startsWith('$')) fail(`unknown profile '${profileName}'; accepted: ${Object.keys(profiles).filter((k) => !k.startsWith('$')).join(', ')}`);
if (!profile.targets[target] || !Array.isArray(profile.compile) || !Array.isArray(profile.link)) fail(`unknown target '${target}'; accepted: ${Object.keys(profile.targets).join(', ')}`);
if (!['compile', 'link', 'name'].includes(part)) fail(`unknown part '${part}'; accepted: compile, link, name`);
const flags = (p) => [...profile[p], ...(profile.targets[target][p] ?? [])];
// `name`: how a build records its profile (build info): the profile and its compile | link flags.
const out = part === 'name' ? `${profileName}: ${flags('compile').join(' ')} | link ${flags('link').join(' ')}` : flags(part).join(' ');
process.stdout.write(out + '\n');
