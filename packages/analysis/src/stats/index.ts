export { autocorrelationFactor, theilSen, mannKendall, reduceSeries, median, mad, normalCdf, normalQuantile, MAX_POINTS } from './trend.js';
export type { TheilSen, MannKendall } from './trend.js';
export { poissonCdf, poissonInterval, tQuantile } from './poisson.js';
export { medianRatio, seededRandom, type RatioEstimate, type RatioOptions } from './ratio.js';
