// A backend whose cells run in a page: the Node instance of the same module answers what a plan asks before any cell
// starts (its models, which fixtures it can carry, the true growth of a fixture in its allocator — the same C and the
// same dlmalloc in the page), and `pageBuild` says what the page loads. What belongs to the page's own instance is
// not answered from Node's: allocation sites (the attribution pass tracks them in the page) and retained JS values.
import { UsageError, type Backend } from '@leakbench/core/cell';
import type { PageBuild } from './cell.js';
import { chromiumProblem } from './chromium.js';

export function inChromium(inNode: Backend, id: string, description: string, pageBuild: () => PageBuild): Backend {
  const problem = chromiumProblem();
  if (problem) throw new UsageError(`backend '${id}': ${problem}`);
  const build = pageBuild(); // throws when the page build is missing, before any cell starts
  const { trackAllocationSites: _track, allocationSites: _sites, ...rest } = inNode;
  return {
    ...rest,
    id,
    description,
    host: 'chromium',
    pageBuild: () => build,
    info: () => ({ ...inNode.info(), backend: id }),
    // The Node instance's JS fixtures are not the page's: nothing is retained here.
    retainedCount: () => 0,
    releaseRetained: () => 0,
  };
}
