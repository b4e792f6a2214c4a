// The generated site in a real headless Chromium: every page loads from file:// without console errors and
// every figure is visible. Screenshots of the index and one cell page are kept in test-artifacts/report/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { buildReport } from './index.js';
import { makeRun, tmpDir } from '../test/data.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(import.meta.dirname, '../../../test-artifacts/report');
const hasChromium = existsSync(CHROMIUM);
// Outside CI a machine without Chromium skips loudly; in CI (where setup installs it) its absence is a failure.
if (!hasChromium && process.env.CI) throw new Error(`${CHROMIUM} is absent in CI: npm run setup installs Debian's chromium`);
if (!hasChromium) console.warn(`SKIPPING the browser test: ${CHROMIUM} is absent (npm run setup installs Debian's chromium)`);

describe.skipIf(!hasChromium)('report in headless Chromium', () => {
  let browser: Browser;
  let site: string;
  beforeAll(async () => {
    site = join(tmpDir('site'), 'site');
    await buildReport([makeRun({ crashed: true, calibration: true })], site);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => browser?.close());

  it('loads every page from file:// with no console errors and every figure visible', async () => {
    const pages = ['index.html', ...readdirSync(join(site, 'cells')).map((f) => `cells/${f}`), ...readdirSync(join(site, 'compare')).map((f) => `compare/${f}`)];
    expect(pages.length).toBeGreaterThan(4);
    mkdirSync(ARTIFACTS, { recursive: true });
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    tab.on('pageerror', (e) => errors.push(e.message));
    tab.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    for (const rel of pages) {
      const response = await tab.goto(pathToFileURL(join(site, rel)).href);
      expect(response?.ok(), rel).toBe(true);
      const figures = await tab.$$('svg');
      if (!rel.includes('crashed')) expect(figures.length, rel).toBeGreaterThan(0); // the index's figure: calibration
      for (const svg of figures) {
        expect(await svg.isVisible(), rel).toBe(true);
        const box = await svg.boundingBox();
        expect(box!.width * box!.height, rel).toBeGreaterThan(0);
      }
      if (rel === 'index.html') await tab.screenshot({ path: join(ARTIFACTS, 'index.png'), fullPage: true });
      if (rel === 'cells/native-lr1991-double.html') await tab.screenshot({ path: join(ARTIFACTS, 'cell-native-lr1991-double.png'), fullPage: true });
    }
    expect(errors).toEqual([]);
    expect(existsSync(join(ARTIFACTS, 'index.png'))).toBe(true);
    expect(existsSync(join(ARTIFACTS, 'cell-native-lr1991-double.png'))).toBe(true);
  });
});
