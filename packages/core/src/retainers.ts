// How a retainer path reads (CLI and report): root first, each holder with the edge it holds the next by; long
// paths keep their root and their last steps (the holder nearest the growing objects says most).
import type { JsSite, RetainerStep, StoreSite } from './schema.js';

export function retainerText(steps: RetainerStep[], keepLast = 6): string {
  const text = (r: RetainerStep) => `${r.holder}.${r.edge}`;
  if (steps.length <= keepLast + 1) return steps.map(text).join(' → ');
  return [text(steps[0]!), '…', ...steps.slice(-keepLast).map(text)].join(' → ');
}

/** A path as sites show it: its last two parts (a file and its directory), enough to find it. */
export function shortPath(path: string): string {
  return path.split('/').slice(-2).join('/');
}

/** Where a JS site's constructor is defined, as a user finds it: the script's last two path parts, line, column. */
export function definedAtText(at: JsSite['definedAt']): string | null {
  if (!at) return null;
  const script = at.script ? shortPath(at.script.replace(/^file:\/\//, '')) : '(unnamed script)';
  return `${script}:${at.line}:${at.column}`;
}

/** The module a store belongs to: the script that instantiated it (last two path parts) and its hash. */
export function storeModuleText(st: StoreSite): string {
  return `${st.module ? shortPath(st.module) : 'a module'} (${st.hash})`;
}

/**
 * The holder of leakbench's own JS-side bookkeeping — the WASM backend's table of allocation stacks during an
 * attribution pass, which grows whenever a new stack is interned. The pass's heap snapshots leave out whatever an
 * instance of it holds: the instrument's growth is neither the program's nor V8's (counted as the program's, a late
 * onset's new stacks kept a pass from showing a JIT's growth to be V8's).
 */
export class LeakbenchInstrument<T> {
  constructor(readonly state: T) {}
}
/** The constructor name heap snapshots show for it. */
export const INSTRUMENT_CLASS = LeakbenchInstrument.name;
