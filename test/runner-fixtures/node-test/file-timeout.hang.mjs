// node:test: a test with no timeout of its own, run with --test-timeout (on Node 20–23 the runner
// times the whole file out and terminates its process).
import { before, test } from 'node:test';
import { fetchUser, startServer } from '../shared.mjs';

before(startServer);

test('loads the user', async () => {
  await fetchUser(); // stuck
});
