// Case study: SQLite compiled to WebAssembly (`sql.js` 1.13.0, emscripten, minified: its malloc is export "Da").
// Each iteration prepares a statement, binds it, steps it and reads the row. sql.js's own documentation: "free the
// memory used by the statement" with stmt.free(); the Database keeps every statement not freed until db.close():
//   no-free — the statement is never freed (SQLite's sqlite3_stmt stays in the module's C heap, its JS handle in
//             db.statements);
//   free    — stmt.free() after use (nothing grows).
//   npx leakbench run --backend-module examples/case-studies/sql-js.mjs --iterations 300
// Loaded with import, not require: the same file runs in a page (`--runtime chromium`), where sql.js fetches its
// .wasm beside its script.
import initSqlJs from 'sql.js';

export const QUERY = 'SELECT id, name, score * 2 AS doubled FROM items WHERE id = ? AND score > ?';

export async function load() {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, score REAL)');
  for (let k = 0; k < 100; k++) db.run('INSERT INTO items VALUES (?, ?, ?)', [k, `item ${k}`, k / 3]);
  let n = 0;
  return {
    id: 'sql-js',
    description: 'sql.js 1.13.0 (SQLite in emscripten WASM): one prepared SELECT per iteration',
    workloads: [
      { id: 'no-free', title: 'each prepared statement left without stmt.free() (leak)' },
      { id: 'free', title: 'stmt.free() after each statement (no leak)' },
    ],
    iterate({ workload }) {
      const stmt = db.prepare(QUERY);
      stmt.bind([n++ % 100, -1]);
      if (!stmt.step()) throw new Error('the prepared SELECT returned no row');
      stmt.getAsObject();
      if (workload === 'free') stmt.free();
    },
  };
}
