import { describe, expect, it } from 'vitest';
import { hostSettings, numericsEnv, PORTABLE_NUMERICS_TUNABLE } from './host.js';

describe('hostSettings', () => {
  it("joins the stable profile's tunable and portable numerics' into one GLIBC_TUNABLES", () => {
    expect(hostSettings('stable').env).toEqual({ GLIBC_TUNABLES: `glibc.malloc.tcache_count=0:${PORTABLE_NUMERICS_TUNABLE}` });
    expect(hostSettings('stock').env).toEqual({ GLIBC_TUNABLES: PORTABLE_NUMERICS_TUNABLE });
    expect(hostSettings('stable', 'host').env).toEqual({ GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0' });
    expect(hostSettings('stock', 'host').env).toEqual({});
    expect(hostSettings('stock', 'host')).toMatchObject({ profile: 'stock', numerics: 'host' });
  });
});

describe('numericsEnv', () => {
  it('adds the portable tunable to what is there, or says nothing is needed', () => {
    expect(numericsEnv('portable', { A: '1' })).toEqual({ A: '1', GLIBC_TUNABLES: PORTABLE_NUMERICS_TUNABLE });
    expect(numericsEnv('portable', { GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0' })).toEqual({ GLIBC_TUNABLES: `glibc.malloc.tcache_count=0:${PORTABLE_NUMERICS_TUNABLE}` });
    expect(numericsEnv('portable', { GLIBC_TUNABLES: `x=1:${PORTABLE_NUMERICS_TUNABLE}` })).toBeNull();
  });
  it('takes it away for host numerics, keeping the other tunables', () => {
    expect(numericsEnv('host', { GLIBC_TUNABLES: `x=1:${PORTABLE_NUMERICS_TUNABLE}` })).toEqual({ GLIBC_TUNABLES: 'x=1' });
    expect(numericsEnv('host', { GLIBC_TUNABLES: PORTABLE_NUMERICS_TUNABLE, B: '2' })).toEqual({ B: '2' });
    expect(numericsEnv('host', { B: '2' })).toBeNull();
  });
});
