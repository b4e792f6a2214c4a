// Test helper: the README's front table — what the main job finds, per fixture and backend — read as claims a
// verdict can be held to: its decision, its place and the size it quotes. The published default run must say what
// the table says (published.test.ts), and a fresh main job must agree with the published run within their
// intervals (verdicts.test.ts).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Decision, Where } from '@leakbench/core';

export interface FrontClaim {
  fixture: string;
  backend: 'native' | 'wasm';
  /** The table cell as written. */
  text: string;
  decision: Decision;
  where: Where | null;
  /** The size it quotes (B/iteration, as printed: one decimal), for a leak. */
  bytesPerIteration: string | null;
}

const README = resolve(import.meta.dirname, '../../README.md');
const HEADER = '| fixture | native (Node-API) | WASM (emscripten) |';
const PLACES: [RegExp, Where][] = [
  [/^leak in the C allocator\b/, 'c-allocator'],
  [/^leak in the JS heap\b/, 'js-heap'],
  [/^leak in WASM linear memory\b/, 'wasm-memory'],
  [/^leak in external memory\b/, 'external'],
  [/^leak in RSS only\b/, 'rss-only'],
];

function claim(fixture: string, backend: FrontClaim['backend'], text: string): FrontClaim {
  if (/^no leak\b/.test(text)) return { fixture, backend, text, decision: 'no-leak', where: null, bytesPerIteration: null };
  if (/^inconclusive\b/.test(text)) return { fixture, backend, text, decision: 'inconclusive', where: null, bytesPerIteration: null };
  const place = PLACES.find(([re]) => re.test(text));
  if (!place) throw new Error(`README front table, ${fixture} ${backend}: '${text}' starts with no decision this helper reads`);
  const size = /(\d+\.\d) B\/iter/.exec(text);
  if (!size) throw new Error(`README front table, ${fixture} ${backend}: '${text}' quotes no size (N.N B/iter)`);
  return { fixture, backend, text, decision: 'leak', where: place[1], bytesPerIteration: size[1]! };
}

/** The front table's claims, in table order (fixture by fixture, native then WASM). */
export function frontTable(readme = readFileSync(README, 'utf8')): FrontClaim[] {
  const lines = readme.split('\n');
  const at = lines.indexOf(HEADER);
  if (at < 0) throw new Error(`README has no front table (a line '${HEADER}')`);
  const out: FrontClaim[] = [];
  for (const line of lines.slice(at + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.slice(1, -1).split(' | ').map((c) => c.trim());
    if (cells.length !== 3) throw new Error(`README front table: a row of ${cells.length} cells, not 3: ${line}`);
    const fixture = /^`([^`]+)`$/.exec(cells[0]!)?.[1];
    if (!fixture) throw new Error(`README front table: the first cell names no fixture in backticks: ${line}`);
    out.push(claim(fixture, 'native', cells[1]!), claim(fixture, 'wasm', cells[2]!));
  }
  return out;
}
