// Placeholder wiring for run/check/calibrate/report; filled in by the harness work.
import type { Command } from 'commander';
export function registerRunCommands(_program: Command, _parsers: object): void {}
