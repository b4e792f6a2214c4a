// `leakbench merge <run>... --out <run>`: the shard runs of one request (`run --shard k/n`, one per CI job) joined
// into one run (harness merge.ts); bad input — not shards, of different requests, a shard twice or missing,
// different commits without --allow-mixed — exits 2 saying why.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { mergeRuns } from '@leakbench/harness';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('join the shard runs of one request (run --shard k/n) into one run that check, analyse and report accept')
    .argument('<runs...>', 'the shard run directories, every shard once')
    .requiredOption('--out <dir>', 'new or empty directory for the merged run')
    .option('--allow-mixed', 'join shards that ran different commits (each shard keeps its commit on record)')
    .option('--json', 'print the merged manifest as JSON')
    .action(async (dirs: string[], o) => {
      const m = mergeRuns(dirs, resolve(o.out), { allowMixed: !!o.allowMixed });
      if (o.json) process.stdout.write(JSON.stringify(m, null, 2) + '\n');
      else process.stdout.write(`merged ${m.merged.length} shards, ${m.cells.length} cells → ${resolve(o.out)}\n`);
    });
}
