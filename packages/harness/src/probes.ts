// The harness's own probes in a cell's process (CellSpec.probes), whatever the backend: the cell's process is
// leakbench's, so it measures what it can itself, and a backend's own probes only add to that — a layer the
// backend reports wins (its own module, counted from inside, exactly); a layer it leaves null is filled here.
//   - natively: glibc's process-wide count (the C allocator layer), and the selected shared objects' C heap from
//     the preloaded interposer (the module heap layer);
//   - WebAssembly: every instantiated module's linear memory and its allocator's bytes in use (both the C
//     allocator and the module heap layer: a module's allocator serves only that module).
// What each layer was measured with — or why it could not be — is written beside the samples (probes.json) and
// said wherever the cell's verdict is. A backend without site tracking of its own gets the harness's in attribution
// passes: allocation stacks of the selected native modules' blocks (the interposer) or of every WebAssembly module
// whose allocator has hooks (the WASM probe).
import { writeFileSync } from 'node:fs';
import type { Backend, ProbeSpec, Probes } from '@leakbench/core';
import { loadNativeProbe, type ModuleHeapCount, type NativeProbe } from '@leakbench/native-probe';
import { installWasmProbe, ownLayer, wasmLayerSources, withWasmLayers, type LayerSource, type WasmMemoryReport, type WasmModuleReport, type WasmProbe } from '@leakbench/wasm-probe';

export type { LayerSource };

export const PROBES_FILE = 'probes.json';

/** What probes.json holds. */
export interface ProbesReport {
  layers: Record<'allocatorBytes' | 'moduleHeapBytes' | 'wasmMemoryBytes', LayerSource>;
  /** The interposer's view (null: not preloaded). */
  native: (ModuleHeapCount & { patterns: string[] }) | null;
  /** Every WebAssembly module instantiated (empty when the WASM probe was off or none was). */
  wasm: WasmModuleReport[];
}

export interface HarnessProbes {
  /** The backend, its probe() completed with the harness's layers. */
  wrap(backend: Backend): Backend;
  /** Where each layer came from, as of now. */
  report(backend: Backend): ProbesReport;
  /**
   * Why the harness cannot stand in for the backend's allocation sites (it has none of its own): null when it can
   * (the interposer counts a loaded native module) or when the backend has its own.
   */
  sitesWhyNot(backend: Backend): string | null;
  /** Every WebAssembly linear memory in the process, once each, with its module (attribution passes' stores). */
  memories(): WasmMemoryReport[];
  /** Attribution passes, between iterations: the WebAssembly modules' frame globals cleared (see WasmProbe.atRest). */
  atRest(): void;
}

/** Starts the probes `spec` asks for. Call before the backend loads: the WebAssembly API must be wrapped first. */
export function startHarnessProbes(spec: ProbeSpec | undefined, options: { attribution?: boolean } = {}): HarnessProbes | null {
  if (!spec) return null;
  const native: NativeProbe = loadNativeProbe();
  // The header read runs in C: in the stable profile this process's JS is interpreted only. An attribution pass's
  // modules are rewritten to keep their call frames for the allocation sites.
  const wasm: WasmProbe | null = spec.wasm ? installWasmProbe({ sumHeaders: native.sumHeaders, sites: options.attribution === true }) : null;
  const heap = () => (spec.nativeModules ? native.moduleHeap() : null);
  const wasmFound = () => (wasm?.count() ?? 0) > 0;

  // The harness's sites stand in for a module's own: the WASM probe's when a WebAssembly module was instantiated
  // (the interposer does not see its blocks), else the interposer's when it counts a loaded module.
  const sitesWhyNot = (): string | null => {
    if (wasmFound()) {
      const modules = wasm!.modules();
      if (modules.some((m) => m.allocator !== null)) return null;
      return `no WebAssembly module of the process has hooks on its allocator (${modules.map((m) => `${m.instantiatedBy ?? 'a module'}: ${m.how}`).join('; ')})`;
    }
    if (!spec.nativeModules) return 'the malloc interposer was not preloaded';
    const moduleHeap = heap();
    if (!moduleHeap) return 'the malloc interposer was asked for but is not in the process (LD_PRELOAD lost?)';
    if (!moduleHeap.objects.length) return `no loaded shared object matched ${spec.nativeModules.join(', ')}`;
    return null;
  };
  // WebAssembly: the probe's rewritten allocators record the stacks; natively, the interposer.
  const trackSites = () => sitesWhyNot() === null && (wasmFound() ? wasm!.trackSites() : native.trackAllocationSites());
  const sites = () => (wasmFound() ? wasm!.sites() : (native.allocationSites() ?? { stacks: [], sites: [] }));

  const fill = (own: Probes): Probes => {
    const moduleHeap = heap();
    const interposer = moduleHeap?.ownBytes ?? 0; // the interposer's table is the instrument's too
    if (wasmFound()) {
      const filled = withWasmLayers(own, wasm!);
      return { ...filled, ownBytes: filled.ownBytes! + interposer };
    }
    const tables = wasm?.ownBytes() ?? 0;
    return {
      allocatorBytes: own.allocatorBytes ?? native.glibcInUse(),
      moduleHeapBytes: own.moduleHeapBytes ?? (moduleHeap && moduleHeap.objects.length > 0 ? moduleHeap.bytes : null),
      wasmMemoryBytes: own.wasmMemoryBytes ?? null,
      ownArrayBufferBytes: (own.ownArrayBufferBytes ?? 0) + tables,
      ownBytes: (own.ownBytes ?? own.ownArrayBufferBytes ?? 0) + tables + interposer,
    };
  };

  return {
    // A Proxy, not a copy: a plug-in's methods keep their own `this` (class private fields included).
    wrap: (backend) =>
      new Proxy(backend, {
        get(target, key) {
          if (key === 'probe') return () => fill(target.probe());
          if ((key === 'trackAllocationSites' || key === 'allocationSites') && typeof Reflect.get(target, key) !== 'function') {
            return key === 'trackAllocationSites' ? trackSites : sites;
          }
          const v = Reflect.get(target, key) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      }),
    memories: () => wasm?.memories() ?? [],
    atRest: () => wasm?.atRest(),
    sitesWhyNot: (backend) => (typeof Reflect.get(backend, 'allocationSites') === 'function' ? null : sitesWhyNot()),
    report(backend) {
      const own = backend.probe();
      const modules = wasm?.modules() ?? [];
      const moduleHeap = heap();
      const nativeHow = (): LayerSource => {
        if (!spec.nativeModules) return { by: null, how: 'not measured: the malloc interposer was not preloaded' };
        if (!moduleHeap) return { by: null, how: 'not measured: the malloc interposer was asked for but is not in the process (LD_PRELOAD lost?)' };
        if (!moduleHeap.objects.length) return { by: null, how: `not measured: no loaded shared object matched ${spec.nativeModules.join(', ')}` };
        return { by: 'harness', how: `blocks allocated by the code of ${moduleHeap.objects.join(', ')} (malloc interposer, glibc chunk bytes)` };
      };
      const source = (ownValue: number | null | undefined, harness: () => LayerSource): LayerSource => (ownValue !== null && ownValue !== undefined ? ownLayer(backend.id) : harness());
      return {
        layers:
          modules.length > 0
            ? wasmLayerSources(own, wasm!, backend.id)
            : {
                allocatorBytes: source(own.allocatorBytes, () => ({ by: 'harness', how: "glibc's process-wide count (mallinfo2), less the interposer's table" })),
                moduleHeapBytes: source(own.moduleHeapBytes, nativeHow),
                wasmMemoryBytes: source(own.wasmMemoryBytes, () => ({ by: null, how: 'no WebAssembly module was instantiated' })),
              },
        native: moduleHeap && spec.nativeModules ? { ...moduleHeap, patterns: spec.nativeModules } : null,
        wasm: modules,
      };
    },
  };
}

/** Writes the report beside the cell's samples. */
export function writeProbesReport(path: string, report: ProbesReport): void {
  writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
}
