// Test helper: a leakbench command line as a user types it (`npx leakbench <command> --option …`) checked against
// the built CLI's own --help — the command exists, and so does every long option it uses (inside optional [..]
// too). Each command's help is read once per test file.
import { expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');
const helps = new Map<string, { status: number | null; text: string }>();

/** `leakbench <sub> --help`: its exit status and output. */
export function helpOf(sub: string): { status: number | null; text: string } {
  if (!helps.has(sub)) {
    const r = spawnSync(process.execPath, [CLI, sub, '--help'], { cwd: ROOT, encoding: 'utf8' });
    helps.set(sub, { status: r.status, text: r.stdout + r.stderr });
  }
  return helps.get(sub)!;
}

/** The command and the long options a command line uses. */
export const parseCommandLine = (line: string) => ({ sub: line.split(/\s+/)[2]!, options: [...line.matchAll(/(?<=^|[\s[])(--[a-z][a-z-]*)/g)].map((m) => m[1]!) });

/** Fails, naming `where` and the line, unless the line's command and each of its options exist. */
export function expectCommandLine(line: string, where: string): void {
  const { sub, options } = parseCommandLine(line);
  const h = helpOf(sub);
  expect(h.status, `${where}: '${sub}' is not a leakbench command (${line})`).toBe(0);
  for (const o of options) expect(h.text, `${where}: ${sub} has no option ${o} (${line})`).toMatch(new RegExp(`(^|[\\s,])${o}([\\s,=<]|$)`, 'm'));
}
