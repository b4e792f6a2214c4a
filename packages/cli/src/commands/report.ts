// `leakbench report`: the static site from stored runs (no re-run).
import { join, resolve } from 'node:path';
import type { Command } from 'commander';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('build the static report site from stored runs (no re-run)')
    .argument('<run-dirs...>', 'run directories')
    .requiredOption('--out <site-dir>', 'output directory for the site')
    .option('--keep-going', 'render the other runs when one is bad (exit 2 still reported)')
    .option('--title <text>', 'site title')
    .action(async (dirs: string[], o) => {
      const t0 = performance.now();
      const { buildReport } = await import('@leakbench/report'); // jsdom and Plot load only when a report is built
      const r = await buildReport(dirs.map((d) => resolve(d)), resolve(o.out), { keepGoing: !!o.keepGoing, title: o.title });
      for (const f of r.failed) process.stderr.write(`leakbench: ${f.error}\n`);
      process.stdout.write(`report: ${r.pages.length} pages in ${((performance.now() - t0) / 1000).toFixed(2)} s -> ${join(resolve(o.out), 'index.html')}\n`);
      process.exitCode = r.failed.length ? 2 : 0;
    });
}
