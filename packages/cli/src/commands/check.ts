// `leakbench check` (the CI gate) and `leakbench analyse` (recompute stored verdicts).
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { checkRun, reanalyseRun } from '@leakbench/analysis';
import { writeFileSync } from 'node:fs';
import { githubAnnotations, junitXml } from '../ci-output.js';
import { formatCheck, formatVerdicts } from '../format.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description("CI gate: exit 1 when a `none` cell leaks or cannot be decided, when the run has no `none` cell, or (with --baseline) when any layer's rate rose beyond its CI")
    .argument('<run-dir>', 'a finished run directory')
    .option('--baseline <run-dir>', "compare every layer's rate against this run")
    .option('--allow-inconclusive', 'let a `none` cell that could not be decided pass (by default it fails, naming the iterations that would decide it)')
    .option('--json', 'machine-readable output')
    .option('--junit <file>', 'also write the result as JUnit XML (a test case per cell, a failure per finding)')
    .addOption(new Option('--github', 'also print GitHub Actions annotations (an error per finding) for the pull request').conflicts('json'))
    .action(async (dir: string, o) => {
      const r = checkRun(resolve(dir), o.baseline ? resolve(o.baseline) : null, { allowInconclusive: !!o.allowInconclusive });
      if (o.junit) writeFileSync(resolve(o.junit), junitXml(r));
      process.stdout.write(o.json ? JSON.stringify(r, null, 2) + '\n' : formatCheck(r));
      if (o.github) process.stdout.write(githubAnnotations(r));
      process.exitCode = r.ok ? 0 : 1;
    });

  program
    .command('analyse')
    .alias('analyze')
    .description("recompute and store every cell's verdict from its stored series (no re-run)")
    .argument('<run-dir>', 'a run directory')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, o) => {
      const verdicts = reanalyseRun(resolve(dir));
      process.stdout.write(o.json ? JSON.stringify(verdicts, null, 2) + '\n' : formatVerdicts(verdicts));
    });
}
