// Benchmark (not a test): what the harness's own probes cost an iteration of a module leakbench did not build.
//   node packages/cli/dist/bench/probe-cost.js [--iterations 200] [--processes 6] [--fixture none]
// Natively the plain build of leakbench's addon (no allocator wrappers) runs with and without the preloaded malloc
// interposer; in WASM leakbench's module runs as it is and with its allocator rewritten at load. Each configuration
// runs in fresh processes, alternating (A B A B …), and each process times `--iterations` iterations after 20 of
// warm-up. Prints each configuration's median time per iteration (median over processes of their medians) and the
// cost in %, with the reading of every probe once per iteration included (what a cell does after each iteration).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseFixture, type Backend } from '@leakbench/core';
import { median } from '@leakbench/analysis';
import { interposerEnv, loadNativeProbe } from '@leakbench/native-probe';
import { installWasmProbe } from '@leakbench/wasm-probe';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '200' },
    processes: { type: 'string', default: '6' },
    fixture: { type: 'string', default: 'none' },
    child: { type: 'string' },
  },
});

type Config = 'native' | 'native+interposer' | 'wasm' | 'wasm+rewrite';

async function child(config: Config): Promise<void> {
  const probed = config.includes('+');
  const wasmProbe = config === 'wasm+rewrite' ? installWasmProbe() : null;
  const native = config.startsWith('native') ? loadNativeProbe() : null;
  let backend: Backend;
  if (config.startsWith('native')) backend = await (await import('@leakbench/native-cvode')).loadPlain();
  else backend = await (await import('@leakbench/wasm-cvode')).load();
  const model = backend.models().find((m) => m.id === 'lr1991')!;
  const opts = { model: model.id, durationMs: model.defaultDurationMs ?? null, logIntervalMs: model.defaultLogIntervalMs ?? null, fixture: parseFixture(values.fixture!) };
  // What a cell reads after each iteration: the harness's probes when they are on.
  const read = () => (probed ? (native ? (native.moduleHeap()?.bytes ?? 0) + native.glibcInUse() : (wasmProbe!.allocatorBytes() ?? 0) + (wasmProbe!.memoryBytes() ?? 0)) : 0);
  for (let i = 0; i < 20; i++) {
    backend.simulate(opts);
    read();
  }
  const times: number[] = [];
  for (let i = 0; i < Number(values.iterations); i++) {
    const t = process.hrtime.bigint();
    backend.simulate(opts);
    read();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  process.stdout.write(JSON.stringify({ config, medianMs: median(times) }) + '\n');
}

function parent(): void {
  const self = fileURLToPath(import.meta.url);
  const pairs: [Config, Config][] = [
    ['native', 'native+interposer'],
    ['wasm', 'wasm+rewrite'],
  ];
  console.log(`probe cost: ${values.processes} fresh processes per configuration, alternating; each ${values.iterations} iterations of lr1991 (fixture ${values.fixture}) after 20 of warm-up`);
  for (const [base, probed] of pairs) {
    const medians: Record<string, number[]> = { [base]: [], [probed]: [] };
    for (let p = 0; p < Number(values.processes); p++) {
      for (const config of p % 2 ? [probed, base] : [base, probed]) {
        const env = config === 'native+interposer' ? { ...process.env, ...interposerEnv(['*/leakbench_native_cvode_plain.node']) } : process.env;
        const r = spawnSync(process.execPath, [self, '--child', config, '--iterations', values.iterations!, '--fixture', values.fixture!], { env, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${config}: ${r.stderr}`);
        medians[config]!.push((JSON.parse(r.stdout.trim().split('\n').pop()!) as { medianMs: number }).medianMs);
      }
    }
    const a = median(medians[base]!);
    const b = median(medians[probed]!);
    console.log(`  ${base.padEnd(7)} ${a.toFixed(3)} ms/iteration; ${probed.padEnd(18)} ${b.toFixed(3)} ms/iteration: ${(((b - a) / a) * 100).toFixed(1)} % (processes: ${medians[base]!.map((x) => x.toFixed(3)).join(' ')} | ${medians[probed]!.map((x) => x.toFixed(3)).join(' ')})`);
  }
}

if (values.child) await child(values.child as Config);
else parent();
