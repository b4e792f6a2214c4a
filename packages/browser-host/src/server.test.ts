// The page's origin serves its named files and nothing else, cross-origin isolated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servePage, type PageServer } from './server.js';

describe('servePage', () => {
  let server: PageServer;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lb-serve-'));
    writeFileSync(join(dir, 'm.wasm'), Buffer.from([0, 97, 115, 109]));
    writeFileSync(join(dir, 'secret.txt'), 'not a route');
    server = await servePage({ '/cell.html': { text: '<p>cell</p>' }, '/backend/m.wasm': join(dir, 'm.wasm'), '/backend/gone.js': join(dir, 'gone.js') });
  });
  afterAll(() => server.close());

  it('serves a route with its type, isolated (COOP + COEP) and uncached, on loopback', async () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(`${server.origin}/cell.html`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toBe('<p>cell</p>');
    const wasm = await fetch(`${server.origin}/backend/m.wasm?x=1`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect([...new Uint8Array(await wasm.arrayBuffer())]).toEqual([0, 97, 115, 109]);
    for (const r of [page, wasm]) {
      expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(r.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('serves nothing else: no directory, no traversal; a route whose file is gone is a 500 naming it', async () => {
    for (const path of ['/', '/backend/', '/secret.txt', '/backend/../secret.txt', '/backend/%2e%2e/secret.txt']) {
      expect((await fetch(`${server.origin}${path}`)).status, path).toBe(404);
    }
    const gone = await fetch(`${server.origin}/backend/gone.js`);
    expect(gone.status).toBe(500);
    expect(await gone.text()).toMatch(/gone\.js/);
  });
});
