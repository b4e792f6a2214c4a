// @leakbench/browser-host: a cell of a WASM backend in a page of headless Chromium (cell.ts), the Chromium it
// drives (chromium.ts) and the loopback origin the page is served from (server.ts).
export { inChromium } from './backend.js';
export { openPage, PageDriver, runBrowserCell, type BrowserCellOptions, type PageBuild, type PageSession } from './cell.js';
export { chromiumPath, chromiumProblem, CHROMIUM_FLAGS, pageJsFlags, pageJsFlagsEnv } from './chromium.js';
export { servePage, type PageServer } from './server.js';
