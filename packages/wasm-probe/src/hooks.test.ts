import { describe, expect, it } from 'vitest';
import { glueHints } from './hooks.js';

describe('glueHints: where an emscripten glue script binds the allocator to the module exports', () => {
  it('reads emscripten 3.1 glue (Module["asm"]["x"])', () => {
    const glue = 'var _malloc=Module["_malloc"]=function(){return(_malloc=Module["_malloc"]=Module["asm"]["k"]).apply(null,arguments)};var _free=Module["_free"]=function(){return(_free=Module["_free"]=Module["asm"]["l"]).apply(null,arguments)};';
    expect(glueHints(glue)).toEqual({ k: 'malloc', l: 'free' });
  });

  it('reads later glue (wasmExports) and closure-minified glue', () => {
    expect(glueHints("var _malloc = Module['_malloc'] = (a0) => (_malloc = Module['_malloc'] = wasmExports['Da'])(a0);")).toEqual({ Da: 'malloc' });
    expect(glueHints('ia=f._malloc=a=>(ia=f._malloc=Z.Da)(a),fa=f._free=a=>(fa=f._free=Z.Ea)(a)')).toEqual({ Da: 'malloc', Ea: 'free' });
  });

  it('does not take functions that merely end in _free or _malloc', () => {
    expect(glueHints('f._sqlite3_free=a=>(f._sqlite3_free=Z.P)(a);var _lbw_last_free=Module["_lbw_last_free"]=Module["asm"]["p"];')).toEqual({});
  });
});
