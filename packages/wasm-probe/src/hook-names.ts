// What the rewritten module and the harness's hooks agree on, apart from Binaryen: a cell process imports this
// (hooks.ts), never Binaryen itself — the rewrite runs in a child process (rewrite-main.ts), so a cell that
// instantiates no WebAssembly module, or finds its rewrite cached, does not load Binaryen's 10 MB (~0.5 s).

/** The import module the hooks come from (the harness supplies it at instantiation). */
export const HOOK_MODULE = 'leakbench:heap';

export type AllocatorKind = 'dlmalloc' | 'emmalloc' | 'malloc';

/** The export a module rewritten with frame globals has, which clears them (rewrite.ts). */
export const FRAMES_RESET = 'leakbench$reset';
