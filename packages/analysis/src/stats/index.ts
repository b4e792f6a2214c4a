export { autocorrelationFactor, theilSen, mannKendall, detectWarmupEnd, reduceSeries, median, mad, normalCdf, normalQuantile, MAX_POINTS } from './trend.js';
export type { TheilSen, MannKendall } from './trend.js';
export { medianRatio, seededRandom, type RatioEstimate, type RatioOptions } from './ratio.js';
