// Loads @leakbench/report on demand: core does not depend on it, the CLI's report commands do.
import { UsageError } from './errors.js';

export interface SiteOptions {
  keepGoing?: boolean;
  title?: string;
}

export async function buildSite(runDirs: string[], outDir: string, options: SiteOptions): Promise<{ pages: string[]; failed: { dir: string; error: string }[] }> {
  let mod: { buildReport: (dirs: string[], out: string, o: SiteOptions) => Promise<{ pages: string[]; failed: { dir: string; error: string }[] }> };
  try {
    mod = (await import('@leakbench/report' as string)) as typeof mod;
  } catch (e) {
    throw new UsageError(`the report package is not available (${(e as Error).message}); build it: npx turbo run build --filter=@leakbench/report`);
  }
  return mod.buildReport(runDirs, outDir, options);
}
