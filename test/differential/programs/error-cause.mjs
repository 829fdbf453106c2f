// exit: 1
// An uncaught rejection whose error has a cause and extra properties: Node prints them all.
async function connect() { await null; throw Object.assign(new Error('socket closed'), { code: 'ECONNRESET' }); }
async function query() {
  try { await connect(); } catch (cause) { throw new Error('query failed', { cause }); }
}
query();
