// Where JS heap growth is: three V8 heap snapshots of one process (after warm-up, after N and after 2N more
// iterations — memlab's baseline/target/final), read with memlab's heap analysis, reduced to plain totals per
// group, then compared. A group is the objects of one constructor (closures by function) with the storage and
// primitive values they hold folded in — an element store, a Map's hash table and string keys, an ArrayBuffer's
// backing store — so a Map that only grows its table is named as the Map, by the path that holds it.
//
// Why owners: V8 keeps its own objects in the same heap (compiled code, feedback vectors, maps), and the JIT grows
// them for thousands of iterations in a clean process. Telling them from the program's is what lets a JS heap
// verdict be trusted under a stock Node; the snapshot's node types say which is which.
import type { IHeapNode, IHeapSnapshot } from '@memlab/core';
import { INSTRUMENT_CLASS, type JsSite, type RetainerStep } from '@leakbench/core';
import { grewInEveryInterval, intervalRates } from './growth.js';
import { definitionFinder, type DefinedAt } from './js-location.js';

/** Node types that are V8's own, whatever holds them. */
const ENGINE_TYPES = new Set(['code', 'object shape', 'synthetic']);
/**
 * Node types counted with their holder: storage (elements, properties, tables, cells) and primitive values
 * (strings, heap numbers), which have no constructor of their own — a Map's string keys are the Map's growth, a
 * string held by compiled code is V8's.
 */
const STORAGE_TYPES = new Set(['array', 'hidden', 'string', 'concatenated string', 'sliced string', 'number', 'symbol', 'bigint']);
/** The native node V8 makes for an ArrayBuffer's backing store: external memory, counted with its ArrayBuffer. */
const BACKING_STORE = 'system / JSArrayBufferData';
/** Retainer paths are cut after this many steps (a shortest path is rarely longer; the head says enough). */
const MAX_PATH = 24;

/** One group's totals in one snapshot. */
export interface GroupTotals {
  name: string;
  type: string;
  owner: JsSite['owner'];
  /** Self sizes in the V8 heap of the group's objects and their storage. */
  bytes: number;
  /** Objects heading the group (not counting their storage). */
  objects: number;
  /** ArrayBuffer backing stores the group holds (outside the V8 heap). */
  externalBytes: number;
}

/** What one snapshot leaves once read: plain data, so the comparison is a pure function. */
export interface SnapshotSummary {
  iteration: number;
  file: string;
  heapBytes: number;
  nodes: number;
  groups: Map<string, GroupTotals>;
}

/**
 * Per group, what the last snapshot says about the objects made since the first: how many made in the first
 * interval are still alive (memlab's "allocated in the target, alive in the final"), how many stores made after the
 * first snapshot belong to an object that lived through all of them (a Map's table, an array's elements that grew
 * by reallocation), and the shortest retainer path of the largest such object.
 */
export interface LastSnapshotExtras {
  kept: Map<string, number>;
  grownStores: Map<string, number>;
  retainers: Map<string, RetainerStep[]>;
  /** Where the representative's constructor (a closure: its function) is defined, for the program's groups. */
  definedAt: Map<string, DefinedAt>;
}

interface Head {
  key: string;
  /** Snapshot id of the heading object (storage is counted with it). */
  id: number;
  name: string;
  type: string;
  owner: JsSite['owner'];
}

const ENGINE_NAMES: Record<string, string> = {
  code: '(compiled code, bytecode and feedback)',
  'object shape': '(hidden classes and descriptors)',
  synthetic: '(roots)',
};

function headOf(node: IHeapNode): Head {
  if (ENGINE_TYPES.has(node.type)) return { key: `engine:${node.type}`, id: node.id, name: ENGINE_NAMES[node.type] ?? node.type, type: node.type, owner: 'engine' };
  const name = node.name || `(anonymous ${node.type})`;
  return { key: `program:${node.type}:${name}`, id: node.id, name, type: node.type, owner: 'program' };
}

const ROOT_HEAD: Head = { key: 'engine:internal', id: -1, name: '(V8 internal storage)', type: 'hidden', owner: 'engine' };
/** What leakbench's own bookkeeping holds (core's LeakbenchInstrument): neither the program's nor V8's, not counted. */
const INSTRUMENT_HEAD: Head = { key: 'instrument', id: -1, name: INSTRUMENT_CLASS, type: 'object', owner: 'program' };

/** Whether an object's shortest path from the roots passes through leakbench's own instrument holder (memoised). */
function instrumentResolver(): (node: IHeapNode) => boolean {
  const memo = new Map<number, boolean>();
  return (node) => {
    const chain: IHeapNode[] = [];
    let held = false;
    for (let cur: IHeapNode | null = node; cur; cur = cur.pathEdge?.fromNode ?? null) {
      const known = memo.get(cur.nodeIndex);
      if (known !== undefined) {
        held = known;
        break;
      }
      chain.push(cur);
      if (cur.type === 'object' && cur.name === INSTRUMENT_CLASS) {
        held = true;
        break;
      }
    }
    for (const c of chain) memo.set(c.nodeIndex, held);
    return held;
  };
}

/**
 * The group a node counts in: an object (or closure, or V8's own code and maps) heads its own; storage and
 * primitives belong to the first such node on their shortest path from the roots; what the roots hold directly
 * is V8's. Null for the embedder's nodes, which are not in the V8 heap, and for what leakbench's own instrument holder
 * holds (instrumentResolver).
 */
function groupResolver(): (node: IHeapNode) => Head | null {
  const memo = new Map<number, Head>();
  const instrument = instrumentResolver();
  const headOrInstrument = (node: IHeapNode): Head => (instrument(node) ? INSTRUMENT_HEAD : headOf(node));
  const resolve = (node: IHeapNode): Head | null => {
    const head = resolveHead(node);
    return head === INSTRUMENT_HEAD ? null : head;
  };
  const resolveHead = (node: IHeapNode): Head | null => {
    if (node.type === 'native') {
      if (node.name !== BACKING_STORE) return null; // the embedder's own nodes: not in the V8 heap, ids not stable
    } else if (!STORAGE_TYPES.has(node.type)) return headOrInstrument(node);
    const hit = memo.get(node.nodeIndex);
    if (hit) return hit;
    const chain: IHeapNode[] = [];
    let cur: IHeapNode | null = node;
    let head: Head = ROOT_HEAD;
    while (cur) {
      const known = memo.get(cur.nodeIndex);
      if (known) {
        head = known;
        break;
      }
      if (cur !== node && cur.type !== 'native' && !STORAGE_TYPES.has(cur.type)) {
        head = headOrInstrument(cur);
        break;
      }
      chain.push(cur);
      cur = cur.pathEdge?.fromNode ?? null;
    }
    for (const c of chain) memo.set(c.nodeIndex, head);
    return head;
  };
  return resolve;
}

/** The shortest path from a GC root to `node`, as holder/edge steps (memlab's path edges). */
export function retainerPath(node: IHeapNode): RetainerStep[] {
  const steps: RetainerStep[] = [];
  let cur: IHeapNode | null = node;
  while (cur?.pathEdge && steps.length < MAX_PATH) {
    const from: IHeapNode = cur.pathEdge.fromNode;
    steps.push({ holder: from.name || `(${from.type})`, edge: String(cur.pathEdge.name_or_index) });
    cur = from;
  }
  return steps.reverse();
}

/** memlab loads in ~0.3 s: only when a snapshot is read, not with every command. */
async function loadSnapshot(file: string): Promise<IHeapSnapshot> {
  const [{ default: core }, { default: analysis }] = await Promise.all([import('@memlab/core'), import('@memlab/heap-analysis')]);
  core.config.muteConsole = true; // memlab prints progress lines by default
  return analysis.getFullHeapFromFile(file);
}

const isStore = (node: IHeapNode) => STORAGE_TYPES.has(node.type) || node.type === 'native';

/** Totals per group of one snapshot; `visit` sees each counted node with its group's head (used for the last one). */
function summarise(heap: IHeapSnapshot, iteration: number, file: string, visit?: (node: IHeapNode, head: Head) => void): SnapshotSummary {
  const resolve = groupResolver();
  const groups = new Map<string, GroupTotals>();
  let heapBytes = 0;
  let nodes = 0;
  heap.nodes.forEach((node) => {
    nodes++;
    heapBytes += node.self_size;
    // Only what a GC root retains: an object reachable by weak references alone is garbage-to-be, not growth.
    if (!node.pathEdge && node.type !== 'synthetic') return;
    const head = resolve(node);
    if (!head) return;
    let g = groups.get(head.key);
    if (!g) groups.set(head.key, (g = { name: head.name, type: head.type, owner: head.owner, bytes: 0, objects: 0, externalBytes: 0 }));
    if (node.type === 'native') g.externalBytes += node.self_size;
    else g.bytes += node.self_size;
    if (!isStore(node)) g.objects++;
    visit?.(node, head);
  });
  return { iteration, file, heapBytes, nodes, groups };
}

/** Ids of every node of a snapshot (V8 keeps an object's id for its life within one process). */
function nodeIds(heap: IHeapSnapshot): Set<number> {
  const ids = new Set<number>();
  heap.nodes.forEach((n) => {
    ids.add(n.id);
  });
  return ids;
}

/**
 * Reads three snapshots of one process, in order, one at a time (a parsed snapshot takes ~15× its file size), and
 * returns their summaries with, for the last, the objects kept since the first interval and a retainer path per
 * group (from the group's largest object that was not in the first snapshot).
 */
export async function readSnapshots(files: { file: string; iteration: number }[]): Promise<{ summaries: SnapshotSummary[]; last: LastSnapshotExtras }> {
  if (files.length < 3) throw new Error(`attribution needs 3 heap snapshots, got ${files.length}`);
  const summaries: SnapshotSummary[] = [];
  let first: Set<number> | null = null;
  let second: Set<number> | null = null;
  const last: LastSnapshotExtras = { kept: new Map(), grownStores: new Map(), retainers: new Map(), definedAt: new Map() };
  for (const [k, { file, iteration }] of files.entries()) {
    const heap = await loadSnapshot(file);
    if (k < files.length - 1) {
      summaries.push(summarise(heap, iteration, file));
      if (k === 0) first = nodeIds(heap);
      if (k === files.length - 2) second = nodeIds(heap);
      continue;
    }
    // The representative of a group: its largest kept object, else its largest grown store.
    const largest = new Map<string, { node: IHeapNode; kept: boolean; head: Head }>();
    const count = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
    summaries.push(
      summarise(heap, iteration, file, (node, head) => {
        if (first!.has(node.id)) return;
        const kept = second!.has(node.id);
        const grownStore = !kept && isStore(node) && first!.has(head.id) && second!.has(head.id);
        if (!kept && !grownStore) return;
        count(kept ? last.kept : last.grownStores, head.key);
        const best = largest.get(head.key);
        if (!best || (kept && !best.kept) || (kept === best.kept && node.self_size > best.node.self_size)) largest.set(head.key, { node, kept, head });
      }),
    );
    const definedAt = definitionFinder(heap);
    for (const [key, { node, head }] of largest) {
      last.retainers.set(key, retainerPath(node));
      // The object heading the group (a store's holder), whose constructor names it.
      const headNode = head.owner === 'program' && head.id >= 0 ? (head.id === node.id ? node : heap.getNodeById(head.id)) : null;
      const at = headNode ? definedAt(headNode) : null;
      if (at) last.definedAt.set(key, at);
    }
  }
  return { summaries, last };
}

/**
 * The growing groups between the first and last snapshot: groups that grew in every interval, by objects made
 * after the first snapshot and kept, or by stores that objects living through every snapshot grew. Objects alive
 * only while a snapshot is taken (its handle scopes, its file name) are new in each snapshot and neither. Program
 * sites first, most bytes first.
 */
export function growingSites(summaries: SnapshotSummary[], last: LastSnapshotExtras): JsSite[] {
  const firstS = summaries[0]!;
  const lastS = summaries[summaries.length - 1]!;
  const span = lastS.iteration - firstS.iteration;
  const keys = new Set(summaries.flatMap((s) => [...s.groups.keys()]));
  const sites: JsSite[] = [];
  const zero = { bytes: 0, objects: 0, externalBytes: 0 };
  for (const key of keys) {
    const at = summaries.map((s) => s.groups.get(key) ?? zero);
    const total = (g: (typeof at)[number]) => g.bytes + g.externalBytes;
    const intervals = intervalRates(at.map(total), summaries.map((s) => s.iteration));
    const carried = (last.kept.get(key) ?? 0) + (last.grownStores.get(key) ?? 0);
    if (!grewInEveryInterval(intervals) || carried === 0) continue;
    const named = summaries.map((s) => s.groups.get(key)).find(Boolean)!;
    const a = at[0]!;
    const z = at[at.length - 1]!;
    sites.push({
      name: named.name,
      type: named.type,
      owner: named.owner,
      bytesPerIteration: (z.bytes - a.bytes) / span,
      objectsPerIteration: (z.objects - a.objects) / span,
      externalBytesPerIteration: (z.externalBytes - a.externalBytes) / span,
      intervals,
      heapIntervals: intervalRates(at.map((g) => g.bytes), summaries.map((s) => s.iteration)),
      keptObjects: last.kept.get(key) ?? 0,
      grownStores: last.grownStores.get(key) ?? 0,
      retainers: last.retainers.get(key) ?? [],
      definedAt: last.definedAt.get(key) ?? null,
    });
  }
  const size = (s: JsSite) => s.bytesPerIteration + s.externalBytesPerIteration;
  return sites.sort((x, y) => (x.owner === y.owner ? size(y) - size(x) : x.owner === 'program' ? -1 : 1));
}
