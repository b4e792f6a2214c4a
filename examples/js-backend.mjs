// A complete, small user backend for `leakbench run --backend-module examples/js-backend.mjs`.
// It integrates the FitzHugh–Nagumo neuron with explicit Euler in plain JS. JS fixtures keep values in a
// store; `malloc:<bytes>` fixtures are emulated with Buffers kept alive (they show in `external`/`arrayBuffers`).
// It says which zoo shapes it cannot carry (fixtureProblem), so they are refused before any cell starts.
const CARRIED = ['none', 'object', 'list', 'malloc', 'buffer'];
const MODELS = [
  {
    id: 'fhn',
    title: 'FitzHugh–Nagumo (explicit Euler, plain JS)',
    stateNames: ['v', 'w'],
    defaultDurationMs: 200,
    defaultLogIntervalMs: 1,
    stimulus: { startMs: 10, durationMs: 1, periodMs: 50, amplitude: 1, unit: 'a.u.' },
  },
];

export async function load() {
  const store = [];
  return {
    id: 'js-fhn',
    description: 'example user backend: FitzHugh–Nagumo in plain JS',
    info: () => ({ backend: 'js-fhn', compiler: 'v8', compilerVersion: process.versions.v8, emccVersion: null, sundialsVersion: 'none', optFlags: 'jit', allocator: 'none' }),
    models: () => MODELS,
    simulate({ model, durationMs, logIntervalMs, fixture }) {
      if (model !== 'fhn') throw new Error(`unknown model '${model}'; accepted: fhn`);
      const dt = 0.01, rows = Math.floor(durationMs / logIntervalMs + 1e-9) + 1;
      const trace = new Float64Array(rows * 3);
      let v = -1.2, w = -0.6, t = 0, steps = 0;
      for (let row = 0; row < rows; row++) {
        const tout = row * logIntervalMs;
        while (t < tout - 1e-12) {
          const stim = t >= 10 && (t - 10) % 50 < 1 ? 1 : 0;
          const dv = v - (v * v * v) / 3 - w + stim, dw = 0.08 * (v + 0.7 - 0.8 * w);
          v += dt * dv; w += dt * dw; t += dt; steps++;
        }
        trace.set([tout, v, w], row * 3);
      }
      if (fixture.kind === 'object') store.push({});
      else if (fixture.kind === 'list') store.push([]);
      else if (fixture.kind === 'malloc' || fixture.kind === 'buffer') store.push(Buffer.alloc(fixture.bytes, 1));
      return { stateNames: ['v', 'w'], trace, rows, stats: { steps, rhsEvals: steps, jacEvals: 0, finalTime: t } };
    },
    fixtureProblem: (fixture) => (CARRIED.includes(fixture.kind) ? null : `this plain-JS backend carries ${CARRIED.join(', ')} only`),
    probe: () => ({ allocatorBytes: null, wasmMemoryBytes: null }),
    retainedCount: () => store.length,
    releaseRetained: () => store.splice(0).length,
  };
}
