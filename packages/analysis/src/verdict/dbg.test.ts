import { it } from 'vitest';
import { characteristics, families } from './families.js';
it('dbg', () => {
  const t0 = Date.now();
  for (const f of families()) { const c = characteristics(f, 40); console.log(`${c.truth.padEnd(8)} ${c.family.padEnd(55)} L${c.leak} N${c.noLeak} I${c.inconclusive}`); }
  console.log('ms', Date.now() - t0);
}, 600000);
