// Run directories on disk: paths, the write side (used while a run is recorded) and the read side (used by
// analysis, check and the report).
export * from './paths.js';
export * from './write.js';
export * from './read.js';
