// Verdicts as a pipeline of small pure steps: window → model → decide (per layer), then
// locate → describe (per cell). Each step is its own module; this is their public face.
export { analyseCell, analyseCellHeld } from './cell.js';
export { analyseLayer } from './layer.js';
export { compareRates } from './compare.js';
export { flatTail, lastRateChange, MODEL_PARTS, modelLayer, regimeRate, texture, withoutParts, type ModelPart, type Change, type FlatTail, type LayerModel, type Rate, type Texture } from './regime.js';
export { decideModel, type LayerDecision } from './decide.js';
export { attribute, guardHost, locate, type Contribution, type Location } from './locate.js';
export { describeCell } from './describe.js';
export { settleCheck } from './settle.js';
export * from './options.js';
export { iterationsToDecide } from './needed.js';
export { characteristics, families, familySamples, random, type Characteristics, type Family, type Random } from './families.js';
export { checkpoints, verdictTimeline, type LayerTimeline } from './timeline.js';
export { longestProcess, segmentsOf, stitchSegments, type Segment } from './segments.js';
export { FIRST_LOOK, isSequential, lookIterations, lookLevels, lookLevelsText, lookShare, NO_LEAK_HORIZON, sequentialBoundsText, SequentialLooks, sequentialBounds, sequentialTimeline, sequentialVerdict, takeLook, type Look } from './sequential.js';
