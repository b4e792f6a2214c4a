import { describe, expect, it } from 'vitest';
import { masksFmaVariants, PORTABLE_NUMERICS_TUNABLE } from '@leakbench/core';
import { hostSettings, numericsEnv } from './host.js';

describe('hostSettings', () => {
  it("joins the stable profile's tunable and portable numerics' into one GLIBC_TUNABLES", () => {
    expect(hostSettings('stable').env).toEqual({ GLIBC_TUNABLES: `glibc.malloc.tcache_count=0:${PORTABLE_NUMERICS_TUNABLE}` });
    expect(hostSettings('stock').env).toEqual({ GLIBC_TUNABLES: PORTABLE_NUMERICS_TUNABLE });
    expect(hostSettings('stable', 'host').env).toEqual({ GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0' });
    expect(hostSettings('stock', 'host').env).toEqual({});
    expect(hostSettings('stock', 'host')).toMatchObject({ profile: 'stock', numerics: 'host' });
  });
});

describe('masksFmaVariants', () => {
  it('reads whether a GLIBC_TUNABLES value masks every FMA/AVX2 variant, in any order, beside other tunables', () => {
    expect(masksFmaVariants(PORTABLE_NUMERICS_TUNABLE)).toBe(true);
    expect(masksFmaVariants(`glibc.malloc.tcache_count=0:${PORTABLE_NUMERICS_TUNABLE}`)).toBe(true);
    expect(masksFmaVariants('glibc.cpu.hwcaps=-FMA4,-FMA,-AVX2')).toBe(true);
    expect(masksFmaVariants('glibc.cpu.hwcaps=-AVX2,-FMA')).toBe(false);
    expect(masksFmaVariants('glibc.malloc.tcache_count=0')).toBe(false);
    expect(masksFmaVariants('')).toBe(false);
  });
});

describe('numericsEnv', () => {
  it('adds the portable tunable to what is there, or says nothing is needed', () => {
    expect(numericsEnv('portable', { A: '1' })).toEqual({ A: '1', GLIBC_TUNABLES: PORTABLE_NUMERICS_TUNABLE });
    expect(numericsEnv('portable', { GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0' })).toEqual({ GLIBC_TUNABLES: `glibc.malloc.tcache_count=0:${PORTABLE_NUMERICS_TUNABLE}` });
    expect(numericsEnv('portable', { GLIBC_TUNABLES: `x=1:${PORTABLE_NUMERICS_TUNABLE}` })).toBeNull();
    expect(numericsEnv('portable', { GLIBC_TUNABLES: 'glibc.cpu.hwcaps=-FMA4,-FMA,-AVX2,-AVX512F' })).toBeNull(); // masked already, otherwise spelled
  });
  it('takes it away for host numerics, keeping the other tunables', () => {
    expect(numericsEnv('host', { GLIBC_TUNABLES: `x=1:${PORTABLE_NUMERICS_TUNABLE}` })).toEqual({ GLIBC_TUNABLES: 'x=1' });
    expect(numericsEnv('host', { GLIBC_TUNABLES: PORTABLE_NUMERICS_TUNABLE, B: '2' })).toEqual({ B: '2' });
    expect(numericsEnv('host', { B: '2' })).toBeNull();
  });
});
