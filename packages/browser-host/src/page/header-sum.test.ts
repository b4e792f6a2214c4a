// The page's header sum in WebAssembly (header-sum.ts) against the probe's JS loop (wasm-probe jsHeaderSum), in a
// real page of Chromium: the same bytes for tables that grow between sums, headers with their flag bits, sums past
// 2^32, and a memory the module cannot import (shared), which must fall back rather than answer wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { jsHeaderSum } from '@leakbench/wasm-probe/core';
import { chromiumPath, launchChromium } from '../chromium.js';

const hasChromium = existsSync(chromiumPath());
if (!hasChromium && process.env.CI) throw new Error(`${chromiumPath()} is absent in CI: npm run setup installs Debian's chromium`);
if (!hasChromium) console.warn(`SKIPPING the page header sum's test: ${chromiumPath()} is absent (npm run setup installs Debian's chromium)`);

/** The built module as a classic script: its functions become the page's globals. */
const SOURCE = readFileSync(fileURLToPath(new URL('../../dist/page/header-sum.js', import.meta.url)), 'utf8').replace(/^export /gm, '');

/** A table of `n` slots, `live` of them pointers into a heap of `pages` pages, each with a header, deterministic. */
function case_(seed: number, pages: number, slots: number, live: number, big: boolean) {
  let x = seed;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  const heap = new Uint32Array((pages * 65536) / 4);
  const keys = new Uint32Array(slots);
  for (let k = 0; k < live; k++) {
    const p = 8 + 8 * (next() % (heap.length / 2 - 2));
    keys[next() % slots] = p;
    heap[(p - 4) >>> 2] = big ? 0xfffffff0 | (next() & 7) : next() & 0xffff;
  }
  return { heap, keys };
}

describe.skipIf(!hasChromium)('the page header sum (WebAssembly, multi-memory)', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium(['--no-opt', '--no-maglev', '--no-sparkplug']);
    page = await browser.newPage();
    await page.addScriptTag({ content: `${SOURCE}\nglobalThis.__sum = wasmHeaderSum({ Module: WebAssembly.Module, Instance: WebAssembly.Instance });` });
  }, 60_000);
  afterAll(async () => browser?.close());

  it('sums what the JS loop sums, as tables grow, with both masks, past 2^32', async () => {
    // The last table is larger than the module's first page of 16 384 slots: its memory grows to take it.
    const cases = [case_(1, 1, 64, 20, false), case_(2, 2, 4096, 1500, false), case_(3, 2, 8192, 3000, true), case_(4, 1, 40000, 200, true)];
    for (const mask of [~7, ~3]) {
      for (const c of cases) {
        const expected = jsHeaderSum(c.keys, c.heap, mask);
        // One memory per case, its table copied in as the probe's table grows (the module's own memory grows too).
        const got = await page.evaluate(
          ({ heap, keys, mask }) => {
            const memory = new WebAssembly.Memory({ initial: heap.length / 16384 });
            new Uint32Array(memory.buffer).set(heap);
            const sum = (globalThis as unknown as { __sum: { sum: (k: Uint32Array, m: WebAssembly.Memory, mask: number) => number | null; ownBytes: () => number } }).__sum;
            return { total: sum.sum(new Uint32Array(keys), memory, mask), own: sum.ownBytes() };
          },
          { heap: [...c.heap], keys: [...c.keys], mask },
        );
        expect(got.total, `${c.keys.length} slots, mask ${mask}`).toBe(expected);
        expect(got.own).toBeGreaterThanOrEqual(c.keys.byteLength);
      }
    }
    expect(jsHeaderSum(cases[3]!.keys, cases[3]!.heap, ~7)).toBeGreaterThan(2 ** 32);
  });

  it('answers null for a memory it cannot import (shared), so the JS loop sums it', async () => {
    const got = await page.evaluate(() => {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
      return (globalThis as unknown as { __sum: { sum: (k: Uint32Array, m: WebAssembly.Memory, mask: number) => number | null } }).__sum.sum(new Uint32Array([8]), memory, ~7);
    });
    expect(got).toBeNull();
  });
});
