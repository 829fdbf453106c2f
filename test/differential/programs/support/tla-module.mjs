// A module that awaits at top level before exporting.
await new Promise((r) => setTimeout(r, 1));
export const value = 'from tla module';
