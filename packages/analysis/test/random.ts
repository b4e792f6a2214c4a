// Test helper (not built): reproducible random series — the families' seeded PRNG (mulberry32) and Gaussian
// noise (Box–Muller), so every run sees the same series.
export { random as rng } from '../src/verdict/families.js';
