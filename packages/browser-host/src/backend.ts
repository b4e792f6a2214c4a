// A backend whose cells run in a page. The built-in wasm-chromium: the Node instance of the same module answers what
// a plan asks before any cell starts (its models, which fixtures it can carry, the true growth of a fixture in its
// allocator — the same C and the same dlmalloc in the page), and `pageBuild` says what the page loads. What belongs
// to the page's own instance is not answered from Node's: allocation sites (the attribution pass tracks them in the
// page) and retained JS values. A user's module (`--runtime chromium`) is asked in a page instead.
// Loaded by the CLI at start-up: the page's driver, esbuild and playwright-core load only when a page is needed.
import { asBackend, UsageError, type Backend } from '@leakbench/core/cell';
import type { PageBuild } from './cell.js';
import { BAD_INPUT, type PageDescription } from './page-protocol.js';
import { chromiumProblem } from './chromium.js';

export function inChromium(inNode: Backend, id: string, description: string, pageBuild: () => PageBuild): Backend {
  const problem = chromiumProblem();
  if (problem) throw new UsageError(`backend '${id}': ${problem}`);
  const build = pageBuild(); // throws when the page build is missing, before any cell starts
  const overrides: Partial<Record<keyof Backend, unknown>> = {
    id,
    description,
    host: 'chromium',
    pageBuild: () => build,
    info: () => ({ ...inNode.info(), backend: id }),
    // The page's own instance tracks its allocation sites (an attribution pass asks it there).
    trackAllocationSites: undefined,
    allocationSites: undefined,
    // The Node instance's JS fixtures are not the page's: nothing is retained here.
    retainedCount: () => 0,
    releaseRetained: () => 0,
  };
  // A Proxy, not a copy: a user's module comes back from asBackend as a Proxy whose methods a spread would lose.
  return new Proxy(inNode, {
    get(target, key) {
      if (key in overrides) return overrides[key as keyof Backend];
      const v = Reflect.get(target, key) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** The first line of a page's error, without the driver's and the runtime's prefixes. */
const pageError = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0]!.replace(/^in the page: /, '').replace(/^\w*Error: /, '').replace(BAD_INPUT, '');

/**
 * A user's module (`--backend-module <path> --runtime chromium`) as a plan sees it: bundled for the browser
 * (page-build.ts) and loaded once in a page — not in Node: a module written for the browser need not load there —
 * for its id, workloads and options (checked in the page, as in Node); its cells run it in pages of their own. Its
 * id is the module's with `-chromium`, as the built-in wasm-chromium. Anything wrong with the module is bad input.
 */
export async function moduleInChromium(modulePath: string, options: Record<string, string>): Promise<Backend> {
  const problem = chromiumProblem();
  if (problem) throw new UsageError(`--backend-module ${modulePath} --runtime chromium: ${problem}`);
  const build = await (await import('./page-build.js')).bundleForPage(modulePath);
  let d: PageDescription;
  try {
    d = await (await import('./cell.js')).describePage(build, { options, probes: true });
  } catch (e) {
    throw new UsageError(`--backend-module ${modulePath} in a page: ${pageError(e)}`);
  }
  const notHere = () => {
    throw new Error(`${d.id} runs in a page: its cells load it there`);
  };
  // What the plan asks, from the page's answers; a module that only iterates carries the fixture none only.
  const described = asBackend({ id: d.id, description: d.description, models: () => d.models, info: () => d.info, ...(d.simulates ? { simulate: notHere } : { iterate: notHere }) } as Parameters<typeof asBackend>[0]);
  return inChromium(described, `${d.id}-chromium`, `${d.description} — in a page of headless Chromium (Debian's)`, () => build);
}
