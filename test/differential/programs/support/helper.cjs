// A CommonJS module for the createRequire and CommonJS entry programs.
exports.twice = async (x) => { await null; return x * 2; };
exports.loadedAs = typeof module;
