// The smallest user module leakbench measures: an id and one iteration of work (`iterate`). Here the work is a
// JSON round trip, and an option (`--option keep=<n>`) keeps every n-th result alive — a leak of the caller's own
// making, as a real library's misuse would be. Everything else (build facts, workloads, probes) is optional: the
// harness measures the process's layers itself.
//   npx leakbench run --backend-module examples/minimal-backend.mjs --iterations 200
//   npx leakbench run --backend-module examples/minimal-backend.mjs --option keep=1 --iterations 200
export const options = { keep: 'keep every n-th result alive (default 0: keep none)' };

export async function load({ keep = '0' } = {}) {
  const every = Number(keep);
  if (!Number.isInteger(every) || every < 0) throw new Error(`keep must be a whole number >= 0 (got '${keep}')`);
  const kept = [];
  let n = 0;
  const doc = { items: Array.from({ length: 20 }, (_, k) => ({ id: k, name: `item ${k}` })) };
  return {
    id: 'json-roundtrip',
    iterate() {
      const copy = JSON.parse(JSON.stringify(doc));
      if (every && ++n % every === 0) kept.push(copy);
    },
  };
}
