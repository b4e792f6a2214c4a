// The JS side of the zoo's JS shapes, shared by both bindings: when the C workload injects a JS fixture it calls
// its host, and the binding hands the call here. Natively `object`/`list` stay strong napi_refs held in the addon
// (the study's shape, with Node's reference records); `deferred` lives with each binding (an external with a
// finalizer natively, a FinalizationRegistry in WASM). Everything else is plain JS and identical in both.
import { FIXTURE_KINDS } from './abi.js';

export interface JsHost {
  /** Carries one JS fixture call; returns 0 (the C side's success code). */
  retain(kind: number, bytes: number): number;
  /** JS values kept alive right now, and dropping them all. */
  count(): number;
  release(): number;
}

export function createJsHost(): JsHost {
  const kept: unknown[] = []; // object, list, buffer
  let array: number[] = []; // js-array: one array that only grows
  let memo = new Map<string, { at: number }>(); // memo: a Map that never evicts
  let calls = 0;
  return {
    retain(kind, bytes) {
      calls++;
      switch (kind) {
        case FIXTURE_KINDS.OBJECT:
          kept.push({});
          break;
        case FIXTURE_KINDS.LIST:
          kept.push([]);
          break;
        case FIXTURE_KINDS.BUFFER:
          // A Node Buffer, or in a page (which has none) the ArrayBuffer-backed bytes a Buffer is.
          kept.push(typeof Buffer === 'function' ? Buffer.alloc(bytes, 1) : new Uint8Array(bytes).fill(1));
          break;
        case FIXTURE_KINDS.JS_ARRAY:
          array.push(calls);
          break;
        case FIXTURE_KINDS.MEMO:
          memo.set(`call-${calls}`, { at: calls });
          break;
        case FIXTURE_KINDS.GARBAGE: {
          // About `bytes` of short-lived objects (≈ 32 B each), referenced only while this call runs.
          let chain: { next: unknown; n: number } | null = null;
          for (let k = 0; k < bytes / 32; k++) chain = { next: chain, n: k };
          if (chain && chain.n < 0) kept.push(chain); // never true: keeps the loop from being optimised away
          break;
        }
        default:
          return 1;
      }
      return 0;
    },
    count: () => kept.length + array.length + memo.size,
    release() {
      const n = kept.length + array.length + memo.size;
      kept.length = 0;
      array = [];
      memo = new Map();
      return n;
    },
  };
}
