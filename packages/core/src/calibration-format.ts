// Text table of a calibration result, as `leakbench calibrate` prints it.
import type { CalibrationResult } from './schema.js';

const fmt = (x: number | null, digits = 1) => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(digits));

export function formatCalibration(r: CalibrationResult): string {
  const lines = [
    `calibration: model ${r.options.model}, gc ${r.options.gc}, counts ${r.options.iterationCounts.join('/')}, ${r.options.trials} trials (none: ${r.options.noneTrials})`,
    'backend  fixture        expected          detect@  false+  true B/it  est B/it  error   correct per count',
  ];
  for (const s of r.summaries) {
    lines.push(
      [
        s.backend.padEnd(8),
        s.fixture.padEnd(14),
        s.expectedWhere.padEnd(17),
        String(s.iterationsToDetect ?? (s.expectedWhere === 'none' ? '' : 'never')).padStart(7),
        (s.falsePositiveRate === null ? '' : `${(s.falsePositiveRate * 100).toFixed(0)}%`).padStart(6),
        fmt(s.trueBytesPerIteration).padStart(9),
        fmt(s.estimatedBytesPerIteration).padStart(9),
        (s.relativeError === null ? '' : `${(s.relativeError * 100).toFixed(1)}%`).padStart(6),
        '  ' + s.byIterations.map((b) => `${b.iterations}:${b.correct}/${b.trials}`).join(' '),
      ].join(' '),
    );
  }
  return lines.join('\n') + '\n';
}
