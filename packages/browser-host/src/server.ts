// The page's origin: a loopback HTTP server that serves a fixed set of files and nothing else (no directory is
// exposed). Cross-origin isolated (COOP + COEP), so the page's clock is precise to 5 µs rather than 100 µs.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8' };
const typeOf = (name: string) => TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';

export interface PageServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  close(): Promise<void>;
}

/** Serves `routes` (URL path → file path, or literal text as `{ text }`) on 127.0.0.1 at a free port. */
export async function servePage(routes: Record<string, string | { text: string }>): Promise<PageServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes[path];
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cache-Control': 'no-store' };
    if (route === undefined) {
      res.writeHead(404, headers).end(`not served: ${path}`);
      return;
    }
    const body = typeof route === 'string' ? readFile(route) : Promise.resolve(Buffer.from(route.text));
    body.then(
      (b) => res.writeHead(200, { ...headers, 'Content-Type': typeOf(typeof route === 'string' ? route : path) }).end(b),
      (e: Error) => res.writeHead(500, headers).end(e.message),
    );
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((ok) => server.close(() => ok())) };
}
