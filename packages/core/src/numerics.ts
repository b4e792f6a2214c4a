// Portable numerics, shared by who starts processes (the harness) and who reports what a process computes with
// (the native backend): glibc's libm picks FMA/AVX2 variants of exp, log, pow… at start-up on a CPU that has
// them, and this tunable masks them, so a native build computes what WASM's musl computes, bit for bit.

/** The glibc tunable of portable numerics (read by glibc once, at process start). */
export const PORTABLE_NUMERICS_TUNABLE = 'glibc.cpu.hwcaps=-AVX2,-FMA,-FMA4';

/** Whether a GLIBC_TUNABLES value masks every variant PORTABLE_NUMERICS_TUNABLE masks (in any order, beside others). */
export function masksFmaVariants(tunables: string): boolean {
  const hwcaps = /(?:^|:)glibc\.cpu\.hwcaps=([^:]*)/.exec(tunables)?.[1]?.split(',') ?? [];
  return PORTABLE_NUMERICS_TUNABLE.slice(PORTABLE_NUMERICS_TUNABLE.indexOf('=') + 1).split(',').every((m) => hwcaps.includes(m));
}
