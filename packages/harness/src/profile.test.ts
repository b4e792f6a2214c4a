import { describe, expect, it } from 'vitest';
import { libraryFunction, parsePerfReport, workloadSamples } from './profile.js';

// `perf report --stdio --no-children --sort dso,symbol -F sample,dso,sym --field-separator=<tab>`, as perf prints it.
const REPORT = [
  '# Total Lost Samples: 0',
  '#',
  '# Samples: 1K of event \'cpu-clock\'',
  '120        \t[JIT] tid 23838     \t[.] JS:N_VLinearSum_Serial-149-turbofan     ',
  '5          \t[JIT] tid 23838     \t[.] JS:N_VLinearSum_Serial-149-liftoff      ',
  '40         \t[JIT] tid 23838     \t[.] JS:exp-11-turbofan',
  '30         \tleakbench_native_cvode.node\t[.] CVode.constprop.0',
  '20         \tlibm.so.6           \t[.] __ieee754_exp_avx',
  '4          \tlibm.so.6           \t[.] exp@@GLIBC_2.29',
  '9          \tlibm.so.6           \t[.] __pow_fma',
  '7          \tnode                \t[.] v8::internal::Heap::CollectGarbage',
  '3          \t[kernel.kallsyms]   \t[k] clear_page_erms',
  '2          \t[JIT] tid 23838     \t[.] JS:*simulate file:///x/index.js:70',
  '',
].join('\n');

describe('parsePerfReport', () => {
  it('reads samples, shared object and symbol of every line, skipping comments', () => {
    const rows = parsePerfReport(REPORT);
    expect(rows).toHaveLength(10);
    expect(rows[0]).toEqual({ samples: 120, dso: '[JIT] tid 23838', symbol: 'JS:N_VLinearSum_Serial-149-turbofan' });
    expect(rows[8]).toEqual({ samples: 3, dso: '[kernel.kallsyms]', symbol: 'clear_page_erms' });
  });
});

describe('workloadSamples', () => {
  it("counts compiled WASM functions (every tier) and the addon's and C libraries' code under their source names; the rest is the host's", () => {
    const w = workloadSamples(parsePerfReport(REPORT));
    expect(w.total).toBe(240);
    expect(Object.fromEntries(w.functions)).toEqual({ N_VLinearSum_Serial: 125, exp: 64, CVode: 30, pow: 9 });
  });
});

describe('libraryFunction', () => {
  it("names glibc's per-CPU variants and versioned symbols by the function C calls", () => {
    expect(libraryFunction('__ieee754_exp_avx')).toBe('exp');
    expect(libraryFunction('__ieee754_pow_sse2')).toBe('pow');
    expect(libraryFunction('__exp_fma')).toBe('exp');
    expect(libraryFunction('__log_fma4')).toBe('log');
    expect(libraryFunction('exp@@GLIBC_2.29')).toBe('exp');
    expect(libraryFunction('__fmod_finite@GLIBC_2.15')).toBe('fmod');
    expect(libraryFunction('__memmove_avx_unaligned_erms')).toBe('__memmove_avx_unaligned_erms');
    expect(libraryFunction('malloc')).toBe('malloc');
  });
});
