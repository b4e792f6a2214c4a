#!/usr/bin/env node
// Prints the flags of one build profile for one target from workload/build-profile.json, the single source both
// backends and SUNDIALS are built from:  build-flags.mjs <release|debug> <native|wasm> <compile|link|name>
import { readFileSync } from 'node:fs';

const [profileName, target, part] = process.argv.slice(2);
const profiles = JSON.parse(readFileSync(new URL('../workload/build-profile.json', import.meta.url), 'utf8'));
const profile = profiles[profileName];
const fail = (msg) => {
  process.stderr.write(`build-flags: ${msg}\n`);
  process.exit(2);
};
if (!profile || profileName.startsWith('$')) fail(`unknown profile '${profileName}'; accepted: ${Object.keys(profiles).filter((k) => !k.startsWith('$')).join(', ')}`);
if (!profile.targets[target]) fail(`unknown target '${target}'; accepted: ${Object.keys(profile.targets).join(', ')}`);
if (!['compile', 'link', 'name'].includes(part)) fail(`unknown part '${part}'; accepted: compile, link, name`);
const flags = (p) => [...profile[p], ...profile.targets[target][p]];
// `name`: how a build records its profile (build info): the profile and its compile | link flags.
const out = part === 'name' ? `${profileName}: ${flags('compile').join(' ')} | link ${flags('link').join(' ')}` : flags(part).join(' ');
process.stdout.write(out + '\n');
