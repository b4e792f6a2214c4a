// @leakbench/browser-host: a cell of a WASM backend in a page of headless Chromium (cell.ts), the Chromium it
// drives (chromium.ts), the loopback origin the page is served from (server.ts), and a user's module made into a
// page build (page-build.ts).
export { inChromium, moduleInChromium } from './backend.js';
export { bundleForPage, findAsset, originalPosition } from './page-build.js';
export { describePage, openPage, pageGrowth, PageDriver, runBrowserCell, type BrowserCellOptions, type PageBuild, type PageSession } from './cell.js';
export { chromiumPath, chromiumProblem, CHROMIUM_FLAGS, pageJsFlags, pageJsFlagsEnv } from './chromium.js';
export { servePage, type PageServer } from './server.js';
