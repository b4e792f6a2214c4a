// Byte quantities as people read them. One formatter for verdict prose, CLI tables and report captions.

const KIB = 1024;

/** Binary units, largest first: the unit a value prints in is the largest it reaches. */
export const BYTE_UNITS = [
  { name: 'GiB', size: KIB ** 3 },
  { name: 'MiB', size: KIB ** 2 },
  { name: 'kB', size: KIB },
  { name: 'B', size: 1 },
] as const;

/** The unit a magnitude prints in. */
export function byteUnit(magnitude: number): (typeof BYTE_UNITS)[number] {
  const a = Math.abs(magnitude);
  return BYTE_UNITS.find((u) => a >= u.size) ?? BYTE_UNITS[BYTE_UNITS.length - 1]!;
}

/** `1.5 kB`, `57.22 MiB`, `-10.7 kB`; `—` for null or a non-finite value. kB and B use `digits` decimals. */
export function formatBytes(b: number | null | undefined, digits = 1): string {
  if (b === null || b === undefined || !Number.isFinite(b)) return '—';
  const u = byteUnit(b);
  const places = u.size >= KIB ** 2 ? 2 : digits;
  return `${(b / u.size).toFixed(places)} ${u.name}`;
}

/** A confidence level as a percentage: 95 % as "95%", a sequential look's 99.9406 % as "99.94%" (never "100%"). */
export const formatConfidence = (confidence: number) => `${+(confidence * 100).toFixed(2)}%`;
