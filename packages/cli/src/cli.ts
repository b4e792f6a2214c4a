#!/usr/bin/env node
// leakbench CLI: the composition root. Each command is a module of commands/ over the packages' public APIs;
// this file wires them together and maps errors to exit codes (2 for bad input, naming what is accepted).
import { Command, CommanderError } from 'commander';
import { SimulationError, UsageError } from '@leakbench/core';
import { registerAttribute } from './commands/attribute.js';
import { registerBench } from './commands/bench.js';
import { registerCalibrate } from './commands/calibrate.js';
import { registerCheck } from './commands/check.js';
import { registerList } from './commands/list.js';
import { registerMerge } from './commands/merge.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerSimulate } from './commands/simulate.js';
import { addExamples } from './examples.js';

const program = new Command('leakbench')
  .description('Find memory leaks in native and WebAssembly builds of numerical code, per memory layer, with confidence.')
  .exitOverride()
  .configureOutput({ outputError: (s, write) => write(s) });

for (const register of [registerSimulate, registerList, registerRun, registerAttribute, registerCheck, registerMerge, registerCalibrate, registerBench, registerReport]) register(program);
addExamples(program);

async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2; // commander already printed "error: ..." with the accepted values
    }
    if (e instanceof UsageError || e instanceof SimulationError) {
      process.stderr.write(`leakbench: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`leakbench: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}

// `leakbench … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = await main(process.argv);
