// node:test: every test passes, but one leaves a call waiting on a socket that keeps the
// process alive after the last test.
import { before, test } from 'node:test';
import { fetchUser, startServer } from '../shared.mjs';

before(startServer);

test('starts a call and does not wait for it', async () => {
  void fetchUser();
});
