/*
 * Right-hand sides of the workload's models, from the published equations.
 * Units: ms, mV, uA/cm^2, Cm = 1 uF/cm^2. Both models use dV/dt = -(I_ion + I_stim) / Cm with an inward
 * (negative) stimulus current.
 */
#include <math.h>
#include <string.h>
#include "models.h"

static double stimulus(const lb_model_info *m, double t) {
  if (t < m->stim_start) return 0.0;
  double phase = fmod(t - m->stim_start, m->stim_period);
  return phase < m->stim_duration ? m->stim_amplitude : 0.0;
}

/* x / (1 - exp(-x / k)) with its limit k at x = 0 (removable singularity of several rate functions). */
static double xexp(double x, double k) {
  if (fabs(x) < 1e-7) return k;
  return x / (1.0 - exp(-x / k));
}

/* ---- Hodgkin & Huxley 1952, modern convention (rest -65 mV) ---- */
enum { HH_V, HH_M, HH_H, HH_N };

static void hh_rates(double V, double *am, double *bm, double *ah, double *bh, double *an, double *bn) {
  *am = 0.1 * xexp(V + 40.0, 10.0);
  *bm = 4.0 * exp(-(V + 65.0) / 18.0);
  *ah = 0.07 * exp(-(V + 65.0) / 20.0);
  *bh = 1.0 / (1.0 + exp(-(V + 35.0) / 10.0));
  *an = 0.01 * xexp(V + 55.0, 10.0);
  *bn = 0.125 * exp(-(V + 65.0) / 80.0);
}

static void hh_rhs(const lb_model_info *m, double t, const double *y, double *dy) {
  const double gNa = 120.0, gK = 36.0, gL = 0.3, ENa = 50.0, EK = -77.0, EL = -54.387;
  double V = y[HH_V], mm = y[HH_M], h = y[HH_H], n = y[HH_N];
  double am, bm, ah, bh, an, bn;
  hh_rates(V, &am, &bm, &ah, &bh, &an, &bn);
  double INa = gNa * mm * mm * mm * h * (V - ENa);
  double IK = gK * n * n * n * n * (V - EK);
  double IL = gL * (V - EL);
  dy[HH_V] = -(INa + IK + IL + stimulus(m, t));
  dy[HH_M] = am * (1.0 - mm) - bm * mm;
  dy[HH_H] = ah * (1.0 - h) - bh * h;
  dy[HH_N] = an * (1.0 - n) - bn * n;
}

/* ---- Luo & Rudy 1991 ventricular cell (as in the CellML luo_rudy_1991 model) ---- */
enum { LR_V, LR_M, LR_H, LR_J, LR_D, LR_F, LR_X, LR_CAI };

static void lr1991_rhs(const lb_model_info *m, double t, const double *y, double *dy) {
  const double R = 8314.0, T = 310.0, F = 96484.6, RTF = R * T / F;
  const double Nao = 140.0, Nai = 18.0, Ko = 5.4, Ki = 145.0, PR_NaK = 0.01833;
  const double gNa = 23.0, gsi = 0.09, gKp = 0.0183, gb = 0.03921, Eb = -59.87;
  double V = y[LR_V], mm = y[LR_M], h = y[LR_H], j = y[LR_J], d = y[LR_D], f = y[LR_F], X = y[LR_X], Cai = y[LR_CAI];

  /* Fast sodium current */
  double ENa = RTF * log(Nao / Nai);
  double INa = gNa * mm * mm * mm * h * j * (V - ENa);
  double am = 0.32 * xexp(V + 47.13, 10.0);
  double bm = 0.08 * exp(-V / 11.0);
  double ah, bh, aj, bj;
  if (V < -40.0) {
    ah = 0.135 * exp((80.0 + V) / -6.8);
    bh = 3.56 * exp(0.079 * V) + 3.1e5 * exp(0.35 * V);
    aj = (-1.2714e5 * exp(0.2444 * V) - 3.474e-5 * exp(-0.04391 * V)) * (V + 37.78) / (1.0 + exp(0.311 * (V + 79.23)));
    bj = 0.1212 * exp(-0.01052 * V) / (1.0 + exp(-0.1378 * (V + 40.14)));
  } else {
    ah = 0.0;
    bh = 1.0 / (0.13 * (1.0 + exp((V + 10.66) / -11.1)));
    aj = 0.0;
    bj = 0.3 * exp(-2.535e-7 * V) / (1.0 + exp(-0.1 * (V + 32.0)));
  }

  /* Slow inward (calcium) current */
  double Esi = 7.7 - 13.0287 * log(Cai);
  double Isi = gsi * d * f * (V - Esi);
  double ad = 0.095 * exp(-0.01 * (V - 5.0)) / (1.0 + exp(-0.072 * (V - 5.0)));
  double bd = 0.07 * exp(-0.017 * (V + 44.0)) / (1.0 + exp(0.05 * (V + 44.0)));
  double af = 0.012 * exp(-0.008 * (V + 28.0)) / (1.0 + exp(0.15 * (V + 28.0)));
  double bf = 0.0065 * exp(-0.02 * (V + 30.0)) / (1.0 + exp(-0.2 * (V + 30.0)));

  /* Time-dependent potassium current; Xi has a removable singularity at V = -77 */
  double gK = 0.282 * sqrt(Ko / 5.4);
  double EK = RTF * log((Ko + PR_NaK * Nao) / (Ki + PR_NaK * Nai));
  double Xi;
  if (V > -100.0) {
    double u = V + 77.0;
    double ratio = fabs(u) < 1e-7 ? 0.04 : (exp(0.04 * u) - 1.0) / u;
    Xi = 2.837 * ratio / exp(0.04 * (V + 35.0));
  } else {
    Xi = 1.0;
  }
  double IK = gK * X * Xi * (V - EK);
  double aX = 0.0005 * exp(0.083 * (V + 50.0)) / (1.0 + exp(0.057 * (V + 50.0)));
  double bX = 0.0013 * exp(-0.06 * (V + 20.0)) / (1.0 + exp(-0.04 * (V + 20.0)));

  /* Time-independent potassium current */
  double gK1 = 0.6047 * sqrt(Ko / 5.4);
  double EK1 = RTF * log(Ko / Ki);
  double aK1 = 1.02 / (1.0 + exp(0.2385 * (V - EK1 - 59.215)));
  double bK1 = (0.49124 * exp(0.08032 * (V + 5.476 - EK1)) + exp(0.06175 * (V - EK1 - 594.31))) /
               (1.0 + exp(-0.5143 * (V - EK1 + 4.753)));
  double IK1 = gK1 * aK1 / (aK1 + bK1) * (V - EK1);

  /* Plateau potassium and background currents */
  double Kp = 1.0 / (1.0 + exp((7.488 - V) / 5.98));
  double IKp = gKp * Kp * (V - EK1);
  double Ib = gb * (V - Eb);

  dy[LR_V] = -(INa + Isi + IK + IK1 + IKp + Ib + stimulus(m, t));
  dy[LR_M] = am * (1.0 - mm) - bm * mm;
  dy[LR_H] = ah * (1.0 - h) - bh * h;
  dy[LR_J] = aj * (1.0 - j) - bj * j;
  dy[LR_D] = ad * (1.0 - d) - bd * d;
  dy[LR_F] = af * (1.0 - f) - bf * f;
  dy[LR_X] = aX * (1.0 - X) - bX * X;
  dy[LR_CAI] = -1e-4 * Isi + 0.07 * (1e-4 - Cai);
}

/* HH gates start at their steady state at -65 mV (computed once in lb_models_init). */
static lb_model_entry MODELS[] = {
  {{"hh1952", "Hodgkin-Huxley 1952 squid giant axon", 4, {"V", "m", "h", "n"},
    {-65.0, 0, 0, 0}, 10.0, 0.5, 50.0, -20.0, 1000.0, 1.0},
   hh_rhs},
  {{"lr1991", "Luo-Rudy 1991 ventricular cell", 8, {"V", "m", "h", "j", "d", "f", "X", "Cai"},
    {-84.3801107371, 0.00171338077730188, 0.982660523699656, 0.989108212766685, 0.00302126301779861,
     0.999967936476325, 0.0417603108167287, 0.00017948816388306},
    100.0, 2.0, 1000.0, -25.5, 1000.0, 1.0},
   lr1991_rhs},
};

static void models_init(void) {
  static int done = 0;
  if (done) return;
  double am, bm, ah, bh, an, bn;
  hh_rates(-65.0, &am, &bm, &ah, &bh, &an, &bn);
  MODELS[0].info.y0[HH_M] = am / (am + bm);
  MODELS[0].info.y0[HH_H] = ah / (ah + bh);
  MODELS[0].info.y0[HH_N] = an / (an + bn);
  done = 1;
}

int lb_model_count(void) { return (int)(sizeof MODELS / sizeof MODELS[0]); }

const lb_model_entry *lb_model_entry_at(int index) {
  models_init();
  return index >= 0 && index < lb_model_count() ? &MODELS[index] : NULL;
}

const lb_model_info *lb_model_at(int index) {
  const lb_model_entry *e = lb_model_entry_at(index);
  return e ? &e->info : NULL;
}

int lb_model_find(const char *id) {
  for (int i = 0; id && i < lb_model_count(); i++)
    if (strcmp(MODELS[i].info.id, id) == 0) return i;
  return -1;
}
