// The page's origin: a loopback HTTP server that serves a fixed set of files and nothing else (no directory is
// exposed). Cross-origin isolated (COOP + COEP), so the page's clock is precise to 5 µs rather than 100 µs.
// Two more answers when the cell asks for them: a file a page build's code fetches beside itself (an emscripten
// module's .wasm, looked up by its name among the files beside the build's sources), and the harness's probe
// rewriting a WebAssembly module for the page (POST).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8', '.json': 'application/json' };
const typeOf = (name: string) => TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';

export interface PageServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Paths the page asked for that were not served (a page build looking for a file it cannot have). */
  missing: string[];
  close(): Promise<void>;
}

export interface ServeOptions {
  /** A path no route names: the file to serve for it, or null (404). */
  asset?: (path: string) => string | null;
  /** POST handlers by path: the body's bytes and the query → a JSON answer. */
  post?: Record<string, (body: Uint8Array, query: URLSearchParams) => unknown>;
}

const bodyOf = (req: IncomingMessage): Promise<Uint8Array> =>
  new Promise((ok, fail) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b)).on('end', () => ok(new Uint8Array(Buffer.concat(parts)))).on('error', fail);
  });

/** Serves `routes` (URL path → file path, or literal text as `{ text }`) on 127.0.0.1 at a free port. */
export async function servePage(routes: Record<string, string | { text: string }>, options: ServeOptions = {}): Promise<PageServer> {
  const missing: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cache-Control': 'no-store' };
    const post = options.post?.[path];
    if (req.method === 'POST' && post) {
      bodyOf(req)
        .then((body) => JSON.stringify(post(body, url.searchParams)))
        .then(
          (json) => res.writeHead(200, { ...headers, 'Content-Type': 'application/json' }).end(json),
          (e: Error) => res.writeHead(500, headers).end(e.message),
        );
      return;
    }
    const route = routes[path] ?? options.asset?.(path) ?? undefined;
    if (route === undefined) {
      missing.push(path);
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
  return { origin: `http://127.0.0.1:${port}`, missing, close: () => new Promise((ok) => server.close(() => ok())) };
}
