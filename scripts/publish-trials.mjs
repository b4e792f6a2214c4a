#!/usr/bin/env node
// Publishes a calibration's trials so that they can be judged again: every rule change must re-judge the published
// calibrations, and a summary (calibration.json) cannot be re-judged — only the series can. Copies the manifest,
// the calibration summary and, per trial, its series gzip-compressed (every command reads samples.ndjson.gz as it
// is) and its attribution.json when it had a pass (the verdict reads it). Left out, as for the published soaks:
// gc.log (its counts are in the samples), stderr.log, verdict.json (re-derived by `calibrate --reanalyse`; its
// decision is in calibration.json) and the passes' snapshots and site tables.
//   node scripts/publish-trials.mjs <calibration dir> <destination dir>
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const [from, to] = process.argv.slice(2);
const fail = (why) => {
  process.stderr.write(`publish-trials: ${why}\nusage: node scripts/publish-trials.mjs <calibration dir> <destination dir>\n`);
  process.exit(2);
};
if (!from || !to) fail('needs a calibration directory and a destination');
for (const f of ['run.json', 'calibration.json']) if (!existsSync(join(from, f))) fail(`${from} is not a calibration directory (no ${f})`);
if (existsSync(to) && readdirSync(to).length) fail(`${to} exists and is not empty: published trials are never overwritten`);

const manifest = JSON.parse(readFileSync(join(from, 'run.json'), 'utf8'));
mkdirSync(to, { recursive: true });
copyFileSync(join(from, 'run.json'), join(to, 'run.json'));
copyFileSync(join(from, 'calibration.json'), join(to, 'calibration.json'));
let bytes = 0;
for (const { spec } of manifest.cells) {
  const src = join(from, 'cells', spec.id);
  const dst = join(to, 'cells', spec.id);
  mkdirSync(dst, { recursive: true });
  const plain = join(src, 'samples.ndjson');
  const gz = existsSync(plain) ? gzipSync(readFileSync(plain), { level: 9 }) : readFileSync(`${plain}.gz`);
  writeFileSync(join(dst, 'samples.ndjson.gz'), gz);
  bytes += gz.length;
  for (const f of ['attribution.json', 'probes.json']) if (existsSync(join(src, f))) copyFileSync(join(src, f), join(dst, f));
}
process.stdout.write(`${manifest.cells.length} trials published to ${to} (series ${(bytes / 1e6).toFixed(1)} MB compressed)\n`);
