// sql.js loaded as a browser bundler's user loads it: its .wasm imported as a URL and handed to locateFile, not
// looked for beside its script (a page runs it: `--runtime chromium`; test/browser-modules.test.ts). The same
// statement leak as sql-js.mjs (no stmt.free()).
import initSqlJs from 'sql.js';
import wasmUrl from 'sql.js/dist/sql-wasm.wasm';

export async function load() {
  const SQL = await initSqlJs({ locateFile: () => wasmUrl });
  const db = new SQL.Database();
  db.run('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, score REAL)');
  for (let k = 0; k < 100; k++) db.run('INSERT INTO items VALUES (?, ?, ?)', [k, `item ${k}`, k / 3]);
  let n = 0;
  return {
    id: 'sql-js-url',
    iterate() {
      const stmt = db.prepare('SELECT id, name, score * 2 AS doubled FROM items WHERE id = ? AND score > ?');
      stmt.bind([n++ % 100, -1]);
      stmt.step();
      stmt.getAsObject();
    },
  };
}
