// Test helper: a plain Node process with known shapes, three heap snapshots after iterations w, w+n, w+2n.
// Prints one JSON line per snapshot. Usage: node --expose-gc snapshot-process.mjs <out-dir> <shape,...>   (shapes: memo, kept, cache, init, garbage, array, instrument)
import { writeHeapSnapshot } from 'node:v8';
import { LeakbenchInstrument } from '@leakbench/core';
import { join } from 'node:path';

class MemoEntry {
  constructor(i) {
    this.i = i;
    this.payload = [i, i + 1, i + 2];
  }
}
class Kept {
  constructor(i) {
    this.at = i;
  }
}
class CacheEntry {
  constructor(i) {
    this.i = i;
  }
}
class InitOnce {
  constructor() {
    this.table = new Array(64).fill(0);
  }
}

const [out, shapeList] = process.argv.slice(2);
const shapes = new Set(shapeList.split(','));
const memo = new Map();
const kept = [];
const numbers = [];
const cache = new Map();
let init = null;
// leakbench's own bookkeeping, as the WASM backend's stack table keeps it: one new entry per iteration.
const own = new LeakbenchInstrument({ stacks: [] });
const W = 20;
const N = 60;

function iteration(i) {
  if (shapes.has('memo')) memo.set(`key-${i}`, new MemoEntry(i));
  if (shapes.has('kept')) kept.push(new Kept(i));
  if (shapes.has('array')) numbers.push(i + 0.5);
  if (shapes.has('cache') && cache.size < 30) cache.set(i, new CacheEntry(i)); // fills within the first interval, then stops
  if (shapes.has('init')) init ??= new InitOnce();
  if (shapes.has('instrument')) own.state.stacks.push([`module.wasm@0x${i.toString(16)}`, 'module.wasm@0x10']);
  if (shapes.has('garbage')) {
    let junk = [];
    for (let k = 0; k < 200; k++) junk.push({ k, s: `x${k}` });
    junk = null;
  }
}

// Each snapshot's file is printed as it is taken: a list of them would itself grow by one object per snapshot.
for (let i = 1; i <= W + 2 * N; i++) {
  iteration(i);
  if (i === W || i === W + N || i === W + 2 * N) {
    globalThis.gc();
    process.stdout.write(JSON.stringify({ file: writeHeapSnapshot(join(out, `heap-${i}.heapsnapshot`)), iteration: i }) + '\n');
  }
}
