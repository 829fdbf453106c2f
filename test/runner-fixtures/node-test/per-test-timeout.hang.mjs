// node:test: one test leaves a call behind, the next times out (its own timeout), a third passes.
import { after, before, test } from 'node:test';
import { closeAll, fetchUser, startServer } from '../shared.mjs';

before(startServer);
after(closeAll);

test('leaves a call behind', async () => {
  void fetchUser();
});

test('loads the user', { timeout: 1000 }, async () => {
  await fetchUser(); // stuck
});

test('passes', () => {});
