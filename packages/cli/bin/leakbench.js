#!/usr/bin/env node
// The `leakbench` command. A committed shim, so that npm links the workspace bin at install time (before the
// TypeScript build exists); it runs the built CLI and says how to build it when it is missing.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('leakbench: the CLI is not built yet; run: npm run setup && npx turbo run build\n');
  process.exit(2);
}
await import(cli.href);
