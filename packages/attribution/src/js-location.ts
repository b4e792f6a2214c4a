// Where a growing JS group's constructor (or a growing closure's function) is defined: script, line and column from
// the heap snapshot itself. A minified library's groups are named `c` or `e`, which says nothing; "c, defined at
// sql-wasm.js:74:115" lets a user find the class. V8 writes a location entry for every closure (its definition) and
// for every object whose constructor it resolved (that constructor's definition). memlab 2.0.5 keys those entries
// by the wrong index (the entry's offset in the flat node array is taken for the node's ordinal), so the raw table
// is read here. The script's name is on the constructor function's Script: closure → shared → script → name.
import type { IHeapNode, IHeapSnapshot } from '@memlab/core';

/** A definition in a script: 1-based line and column, as editors count them. */
export interface DefinedAt {
  /** The script's name or URL as V8 knows it (a path for files Node loaded); null when the snapshot does not say. */
  script: string | null;
  line: number;
  column: number;
}

type Raw = { snapshot?: { meta?: { node_fields?: string[]; location_fields?: string[] } }; locations?: ArrayLike<number> };

const ref = (node: IHeapNode | null | undefined, ...names: string[]): IHeapNode | null => {
  for (const name of names) {
    const to = node?.getReferenceNode(name);
    if (to) return to;
  }
  return null;
};

/** The constructor function by the object's map: map → (back_pointer)* → the root map's constructor. */
function mapConstructor(node: IHeapNode): IHeapNode | null {
  let map = ref(node, 'map');
  for (let hops = 0; map && hops < 10_000; hops++) {
    const c = ref(map, 'constructor', 'constructor_or_back_pointer');
    if (c?.type === 'closure') return c;
    map = c?.name === 'system / Map' ? c : ref(map, 'back_pointer');
  }
  return null;
}

/** The constructor function by the prototype: __proto__.constructor (right for subclasses and Object.create). */
function protoConstructor(node: IHeapNode): IHeapNode | null {
  const c = node.getReferenceNode('__proto__', 'property')?.getReferenceNode('constructor', 'property');
  return c?.type === 'closure' ? c : null;
}

/** The name of the script a function was compiled from. */
function scriptOf(fn: IHeapNode): string | null {
  const script = ref(ref(fn, 'shared'), 'script_or_debug_info', 'script');
  const name = ref(script, 'name', 'source_url');
  if (name && name.type.includes('string')) return name.toStringNode()?.stringValue ?? name.name;
  return script?.name || null;
}

/**
 * A function of one loaded snapshot: where a node's constructor (a closure: the function itself) is defined, or
 * null — object literals, arrays and built-ins (Object, Map, Array) have no location.
 */
export function definitionFinder(heap: IHeapSnapshot): (node: IHeapNode) => DefinedAt | null {
  const raw = (heap as unknown as { snapshot?: Raw }).snapshot;
  const fields = raw?.snapshot?.meta?.node_fields?.length;
  const lf = raw?.snapshot?.meta?.location_fields;
  const table = raw?.locations;
  const locations = new Map<number, [number, number, number]>();
  if (fields && lf && table) {
    const [o, s, l, c] = ['object_index', 'script_id', 'line', 'column'].map((f) => lf.indexOf(f)) as [number, number, number, number];
    for (let i = 0; i < table.length; i += lf.length) locations.set(table[i + o]! / fields, [table[i + s]!, table[i + l]!, table[i + c]!]);
  }
  let scripts: Map<number, string> | null = null;
  /** Script id → name, from every closure's Script (built once, only when a constructor's own Script is not found). */
  const scriptById = (id: number): string | null => {
    if (!scripts) {
      const found = new Map<number, string>();
      heap.nodes.forEach((n) => {
        if (n.type !== 'closure') return;
        const at = locations.get(n.nodeIndex);
        if (!at || found.has(at[0])) return;
        const name = scriptOf(n);
        if (name) found.set(at[0], name);
      });
      scripts = found;
    }
    return scripts.get(id) ?? null;
  };
  const same = (a: [number, number, number] | undefined, b: [number, number, number]) => !!a && a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
  return (node) => {
    if (!locations.size) return null;
    const candidates = node.type === 'closure' ? [node] : [protoConstructor(node), mapConstructor(node)].filter((c): c is IHeapNode => c !== null);
    // V8's own entry for the object names the constructor it resolved: prefer it, and the function it matches.
    const own = locations.get(node.nodeIndex);
    const fn = own ? candidates.find((c) => same(locations.get(c.nodeIndex), own)) : candidates.find((c) => locations.has(c.nodeIndex));
    const at = own ?? (fn ? locations.get(fn.nodeIndex) : undefined);
    if (!at) return null;
    return { script: (fn && scriptOf(fn)) ?? scriptById(at[0]), line: at[1] + 1, column: at[2] + 1 };
  };
}
