// Every leakbench command line the README and the docs show, and every example a command's --help prints, names a
// command that exists with options that exist (each checked against that command's --help). A page that shows a
// renamed or removed option fails here, not in a newcomer's terminal.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expectCommandLine, helpOf, parseCommandLine } from './helpers/cli-help.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');
const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const COMMANDS = ['simulate', 'list', 'run', 'attribute', 'check', 'analyse', 'merge', 'calibrate', 'bench', 'report'];

/** `npx leakbench …` lines of a page's fenced code blocks: continuations joined, comments and prompts dropped. */
function commandLines(page: string): string[] {
  const blocks = [...readFileSync(join(ROOT, page), 'utf8').matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  return blocks.flatMap((b) =>
    b
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((l) => l.replace(/^\$\s+/, '').replace(/\s#.*$/, '').trim())
      .filter((l) => l.startsWith('npx leakbench ')),
  );
}

describe('command lines in the README and docs', () => {
  const lines = PAGES.flatMap((page) => commandLines(page).map((line) => ({ page, line })));

  it('are found (the README shows at least the main commands)', () => {
    const subs = new Set(lines.filter((l) => l.page === 'README.md').map((l) => parseCommandLine(l.line).sub));
    for (const s of ['run', 'check', 'attribute', 'report', 'merge', 'list']) expect(subs, s).toContain(s);
  });

  it.each(PAGES)('%s: every leakbench line names a command and options that exist', (page) => {
    for (const { line } of lines.filter((l) => l.page === page)) expectCommandLine(line, page);
  });
});

describe('--help', () => {
  it.each(COMMANDS)('leakbench %s --help shows examples, each a valid command line', (sub) => {
    const h = helpOf(sub);
    expect(h.status).toBe(0);
    const examples = h.text.split('\nExamples:\n')[1]?.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('npx leakbench ')) ?? [];
    expect(examples.length, `${sub} --help: an Examples section`).toBeGreaterThan(0);
    for (const line of examples) {
      expect(parseCommandLine(line).sub).toBe(sub);
      expectCommandLine(line, `${sub} --help`);
    }
  });

  it('covers every command the CLI has', () => {
    const top = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout;
    const listed = [...top.split('Commands:')[1]!.matchAll(/^ {2}([a-z]+)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect([...listed].sort()).toEqual([...COMMANDS].sort());
  });
});
