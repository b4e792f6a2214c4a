// Which Chromium the browser host drives, and how: Debian's package (the set-up installs it with apt; never a
// browser download), started headless by playwright-core over its DevTools pipe.
import { accessSync, constants } from 'node:fs';
import type { Browser } from 'playwright-core';

/** The executable: $LEAKBENCH_CHROMIUM, or Debian's /usr/bin/chromium. */
export const chromiumPath = (): string => process.env.LEAKBENCH_CHROMIUM || '/usr/bin/chromium';

/** Flags for a quiet headless browser that does nothing of its own between the harness's commands. */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Why Chromium cannot be started here (null: it can), naming what to do about it. */
export function chromiumProblem(path = chromiumPath()): string | null {
  try {
    accessSync(path, constants.X_OK);
    return null;
  } catch {
    return `no Chromium at ${path} (${process.env.LEAKBENCH_CHROMIUM ? 'LEAKBENCH_CHROMIUM' : 'the default'}): npm run setup installs Debian's chromium, or set LEAKBENCH_CHROMIUM to a Chromium executable`;
  }
}

/**
 * How a process that drives pages is told its host profile's V8 flags (harness host.ts): through its environment,
 * set where it is started (`pageJsFlagsEnv`) and read where it launches Chromium (`pageJsFlags`).
 */
const PAGE_JS_FLAGS = 'LEAKBENCH_PAGE_JS_FLAGS';
export const pageJsFlagsEnv = (nodeFlags: string[]): NodeJS.ProcessEnv => ({ [PAGE_JS_FLAGS]: nodeFlags.join(' ') });
export const pageJsFlags = (env: NodeJS.ProcessEnv = process.env): string[] => (env[PAGE_JS_FLAGS] ?? '').split(' ').filter(Boolean);

/**
 * Starts Chromium, its V8 with `jsFlags` (e.g. the host profile's: harness host.ts). playwright-core loads here, not
 * with this module: a plan and a Node cell never need it.
 */
export async function launchChromium(jsFlags: string[] = []): Promise<Browser> {
  const problem = chromiumProblem();
  if (problem) throw new Error(problem);
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_FLAGS, ...(jsFlags.length ? [`--js-flags=${jsFlags.join(' ')}`] : [])] });
}
