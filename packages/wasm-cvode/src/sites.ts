// The host side of the tracking variant's allocation sites (wasm_sites.c keeps the live blocks): the table of
// distinct allocation stacks — the wasm frames of a JS stack trace taken at the allocation, as
// '<module>.wasm@0x<offset>' (the call's own position in the module file, for llvm-symbolizer). It grows by one
// entry per distinct stack, not per block.
import { LeakbenchInstrument } from '@leakbench/core/cell';

/** Stack frames kept per allocation: enough to reach from malloc through the workload to the binding. */
const STACK_DEPTH = 24;
const WASM_FRAME = /wasm-function\[\d+\]:(0x[0-9a-f]+)/i;

export interface StackTable {
  /** The id of the current call stack (1-based; 0 is "not recorded" in the C table). */
  current(): number;
  /** Frames of every stack so far, index = id. */
  all(): string[][];
}

export function createStackTable(wasmPath: string): StackTable {
  // Kept in the instrument's own holder, reached only through it (the closures below hold `own`, never its parts):
  // heap snapshots of the pass leave it out of the program's objects.
  const own = new LeakbenchInstrument({ ids: new Map<string, number>(), stacks: [[]] as string[][] });
  return {
    current() {
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = STACK_DEPTH;
      const text = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      const frames: string[] = [];
      for (const line of text.split('\n')) {
        const off = WASM_FRAME.exec(line)?.[1];
        if (off) frames.push(`${wasmPath}@${off}`);
      }
      const key = frames.join('|');
      let id = own.state.ids.get(key);
      if (id === undefined) {
        id = own.state.stacks.length;
        own.state.stacks.push(frames);
        own.state.ids.set(key, id);
      }
      return id;
    },
    all: () => own.state.stacks.map((s) => [...s]),
  };
}
