// Case study: Meta's Yoga flexbox engine compiled to WebAssembly (`yoga-layout` 3.2.1, emscripten + embind, the
// module inlined as base64). Each iteration builds a node tree (a row of 20 children), lays it out and reads a
// child's position. Yoga's documentation: nodes are freed with node.free() / node.freeRecursive():
//   no-free — the tree is dropped without freeRecursive() (its C++ nodes stay in the module's C heap);
//   free    — root.freeRecursive() after use (nothing grows).
//   npx leakbench run --backend-module examples/case-studies/yoga.mjs --iterations 300
export async function load() {
  const { loadYoga, FlexDirection } = await import('yoga-layout/load');
  const Yoga = await loadYoga();
  return {
    id: 'yoga',
    description: 'yoga-layout 3.2.1 (emscripten WASM): a row of 20 nodes laid out per iteration',
    workloads: [
      { id: 'no-free', title: 'each node tree dropped without freeRecursive() (leak)' },
      { id: 'free', title: 'root.freeRecursive() after each layout (no leak)' },
    ],
    iterate({ workload }) {
      const root = Yoga.Node.create();
      root.setFlexDirection(FlexDirection.Row);
      root.setWidth(1000);
      root.setHeight(100);
      for (let k = 0; k < 20; k++) {
        const child = Yoga.Node.create();
        child.setFlexGrow(1);
        child.setMargin(0, k % 3);
        root.insertChild(child, k);
      }
      root.calculateLayout(undefined, undefined);
      if (!(root.getChild(19).getComputedLeft() > 0)) throw new Error('yoga laid the row out wrongly');
      if (workload === 'free') root.freeRecursive();
    },
  };
}
