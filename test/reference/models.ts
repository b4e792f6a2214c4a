// Independent reference of the workload's models for the tests: the published equations again, in TypeScript,
// integrated with classic fixed-step RK4 (not CVODE). Hodgkin & Huxley 1952 (modern −65 mV convention) and
// Luo & Rudy 1991 (as in the CellML luo_rudy_1991 model). dV/dt = −(I_ion + I_stim)/Cm, Cm = 1 µF/cm².

export interface RefModel {
  id: 'hh1952' | 'lr1991';
  y0: number[];
  stim: { start: number; duration: number; period: number; amplitude: number };
  rhs(t: number, y: Float64Array, dy: Float64Array): void;
}

const stimulus = (m: RefModel['stim'], t: number) => (t >= m.start && (t - m.start) % m.period < m.duration ? m.amplitude : 0);
/** x / (1 − exp(−x/k)), with its limit k at x = 0. */
const xexp = (x: number, k: number) => (Math.abs(x) < 1e-7 ? k : x / (1 - Math.exp(-x / k)));

const hhRates = (V: number) => ({
  am: 0.1 * xexp(V + 40, 10),
  bm: 4 * Math.exp(-(V + 65) / 18),
  ah: 0.07 * Math.exp(-(V + 65) / 20),
  bh: 1 / (1 + Math.exp(-(V + 35) / 10)),
  an: 0.01 * xexp(V + 55, 10),
  bn: 0.125 * Math.exp(-(V + 65) / 80),
});
const r0 = hhRates(-65);

export const hh1952: RefModel = {
  id: 'hh1952',
  y0: [-65, r0.am / (r0.am + r0.bm), r0.ah / (r0.ah + r0.bh), r0.an / (r0.an + r0.bn)],
  stim: { start: 10, duration: 0.5, period: 50, amplitude: -20 },
  rhs(t, y, dy) {
    const [V, m, h, n] = y as unknown as number[];
    const r = hhRates(V!);
    const INa = 120 * m! ** 3 * h! * (V! - 50);
    const IK = 36 * n! ** 4 * (V! + 77);
    const IL = 0.3 * (V! + 54.387);
    dy[0] = -(INa + IK + IL + stimulus(this.stim, t));
    dy[1] = r.am * (1 - m!) - r.bm * m!;
    dy[2] = r.ah * (1 - h!) - r.bh * h!;
    dy[3] = r.an * (1 - n!) - r.bn * n!;
  },
};

export const lr1991: RefModel = {
  id: 'lr1991',
  y0: [-84.3801107371, 0.00171338077730188, 0.982660523699656, 0.989108212766685, 0.00302126301779861, 0.999967936476325, 0.0417603108167287, 0.00017948816388306],
  stim: { start: 100, duration: 2, period: 1000, amplitude: -25.5 },
  rhs(t, y, dy) {
    const [V, m, h, j, d, f, X, Cai] = y as unknown as number[] as [number, number, number, number, number, number, number, number];
    const RTF = (8314 * 310) / 96484.6;
    const [Nao, Nai, Ko, Ki, PR] = [140, 18, 5.4, 145, 0.01833];
    const INa = 23 * m ** 3 * h * j * (V - RTF * Math.log(Nao / Nai));
    const am = 0.32 * xexp(V + 47.13, 10);
    const bm = 0.08 * Math.exp(-V / 11);
    const low = V < -40;
    const ah = low ? 0.135 * Math.exp((80 + V) / -6.8) : 0;
    const bh = low ? 3.56 * Math.exp(0.079 * V) + 3.1e5 * Math.exp(0.35 * V) : 1 / (0.13 * (1 + Math.exp((V + 10.66) / -11.1)));
    const aj = low ? ((-1.2714e5 * Math.exp(0.2444 * V) - 3.474e-5 * Math.exp(-0.04391 * V)) * (V + 37.78)) / (1 + Math.exp(0.311 * (V + 79.23))) : 0;
    const bj = low ? (0.1212 * Math.exp(-0.01052 * V)) / (1 + Math.exp(-0.1378 * (V + 40.14))) : (0.3 * Math.exp(-2.535e-7 * V)) / (1 + Math.exp(-0.1 * (V + 32)));
    const Isi = 0.09 * d * f * (V - (7.7 - 13.0287 * Math.log(Cai)));
    const ad = (0.095 * Math.exp(-0.01 * (V - 5))) / (1 + Math.exp(-0.072 * (V - 5)));
    const bd = (0.07 * Math.exp(-0.017 * (V + 44))) / (1 + Math.exp(0.05 * (V + 44)));
    const af = (0.012 * Math.exp(-0.008 * (V + 28))) / (1 + Math.exp(0.15 * (V + 28)));
    const bf = (0.0065 * Math.exp(-0.02 * (V + 30))) / (1 + Math.exp(-0.2 * (V + 30)));
    const EK = RTF * Math.log((Ko + PR * Nao) / (Ki + PR * Nai));
    const u = V + 77;
    const Xi = V > -100 ? (2.837 * (Math.abs(u) < 1e-7 ? 0.04 : (Math.exp(0.04 * u) - 1) / u)) / Math.exp(0.04 * (V + 35)) : 1;
    const IK = 0.282 * Math.sqrt(Ko / 5.4) * X * Xi * (V - EK);
    const aX = (0.0005 * Math.exp(0.083 * (V + 50))) / (1 + Math.exp(0.057 * (V + 50)));
    const bX = (0.0013 * Math.exp(-0.06 * (V + 20))) / (1 + Math.exp(-0.04 * (V + 20)));
    const EK1 = RTF * Math.log(Ko / Ki);
    const aK1 = 1.02 / (1 + Math.exp(0.2385 * (V - EK1 - 59.215)));
    const bK1 = (0.49124 * Math.exp(0.08032 * (V + 5.476 - EK1)) + Math.exp(0.06175 * (V - EK1 - 594.31))) / (1 + Math.exp(-0.5143 * (V - EK1 + 4.753)));
    const IK1 = 0.6047 * Math.sqrt(Ko / 5.4) * (aK1 / (aK1 + bK1)) * (V - EK1);
    const IKp = (0.0183 * (V - EK1)) / (1 + Math.exp((7.488 - V) / 5.98));
    const Ib = 0.03921 * (V + 59.87);
    dy[0] = -(INa + Isi + IK + IK1 + IKp + Ib + stimulus(this.stim, t));
    dy[1] = am * (1 - m) - bm * m;
    dy[2] = ah * (1 - h) - bh * h;
    dy[3] = aj * (1 - j) - bj * j;
    dy[4] = ad * (1 - d) - bd * d;
    dy[5] = af * (1 - f) - bf * f;
    dy[6] = aX * (1 - X) - bX * X;
    dy[7] = -1e-4 * Isi + 0.07 * (1e-4 - Cai);
  },
};

/** Stimulus on/off edges in (0, duration]: RK4 steps are split there so no discontinuity is stepped over. */
function edges(m: RefModel, duration: number): number[] {
  const out: number[] = [];
  for (let on = m.stim.start; on <= duration; on += m.stim.period) out.push(on, on + m.stim.duration);
  return out;
}

/** Fixed-step RK4 landing exactly on every log time and stimulus edge. Rows: [t, ...states]. */
export function integrateReference(m: RefModel, duration: number, logInterval: number, dt = 0.001): number[][] {
  const n = m.y0.length;
  const y = Float64Array.from(m.y0);
  const k = [0, 1, 2, 3].map(() => new Float64Array(n));
  const tmp = new Float64Array(n);
  const stops = [...new Set([...edges(m, duration), ...Array.from({ length: Math.floor(duration / logInterval + 1e-9) + 1 }, (_, i) => i * logInterval)])]
    .filter((t) => t <= duration)
    .sort((a, b) => a - b);
  const rows: number[][] = [[0, ...y]];
  let t = 0;
  for (const stop of stops) {
    while (t < stop - 1e-12) {
      const h = Math.min(dt, stop - t);
      m.rhs(t, y, k[0]!);
      for (let i = 0; i < n; i++) tmp[i] = y[i]! + (h / 2) * k[0]![i]!;
      m.rhs(t + h / 2, tmp, k[1]!);
      for (let i = 0; i < n; i++) tmp[i] = y[i]! + (h / 2) * k[1]![i]!;
      m.rhs(t + h / 2, tmp, k[2]!);
      for (let i = 0; i < n; i++) tmp[i] = y[i]! + h * k[2]![i]!;
      m.rhs(t + h, tmp, k[3]!);
      for (let i = 0; i < n; i++) y[i] = y[i]! + (h / 6) * (k[0]![i]! + 2 * k[1]![i]! + 2 * k[2]![i]! + k[3]![i]!);
      t = Math.abs(t + h - stop) < 1e-9 ? stop : t + h;
    }
    const step = stop / logInterval;
    if (stop > 0 && Math.abs(step - Math.round(step)) < 1e-9) rows.push([stop, ...y]);
  }
  return rows;
}
