// Test helper: prints, one per line, every module URL that importing the given module loads (statically; the
// process exits right after the import settles). Usage: node loaded-modules.mjs <module path or specifier> [args…]
// The given module sees process.argv with its own arguments after it, as if run directly.
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const { port1, port2 } = new MessageChannel();
const loaded = new Set();
port1.on('message', (url) => loaded.add(url));
port1.unref();
register('./loaded-modules-hooks.mjs', { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });
const target = process.argv[2];
process.argv.splice(1, 2, resolve(target)); // the target's own argv: [node, target, …its arguments]
process.exitCode = 0;
try {
  await import(pathToFileURL(resolve(target)).href);
} finally {
  // Let the hooks thread's last messages arrive, then report (the target may have set its own exit code).
  await new Promise((r) => setTimeout(r, 100));
  process.stdout.write([...loaded].join('\n') + '\n');
}
