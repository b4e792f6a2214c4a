// vitest globalSetup (vitest.config.ts): one directory per test session for the runs that
// several files read (test/helpers/shared-runs.ts), removed when the session ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    sharedRuns: string;
  }
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'leakbench-shared-runs-'));
  project.provide('sharedRuns', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
