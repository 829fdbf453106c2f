import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Child processes inherit this: a dump's per-object lookups are cut off after a time
    // budget (3 s by default); on a loaded CI machine that would make what a dump locates
    // depend on timing. Tests assert on content, never on speed.
    env: { AWAITWHAT_LOOKUP_BUDGET_MS: '120000' },
  },
});
