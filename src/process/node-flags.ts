// V8 flags the server's process starts with: `npm start`, bin/sluice.js and the test and
// bench launchers all pass these before the entry (package.json and bin/sluice.js spell
// them out, as they cannot import this module; a unit test keeps the three equal).

/** The young generation of every thread, in MB (two semi-spaces). */
export const YOUNG_GENERATION_MB = 8;

// Left to V8, the main thread's new space grows to its 32 MiB default while it compiles
// every module at startup, and stays committed: V8 shrinks a new space only in a
// memory-reducing GC, which it re-arms only after the old generation has grown 10 MB. The
// workers are capped through Worker resourceLimits, but the main thread's heap exists
// before any code runs (v8.setFlagsFromString then changes nothing), so its cap is a flag.
// The flag binds every isolate of the process and overrides resourceLimits, so it is the
// semi-space of the workers' own young generation: a smaller one would make the hot path
// scavenge about three times as often (measured with a 1 MB semi-space).
export const SERVER_NODE_FLAGS: readonly string[] = [`--max-semi-space-size=${YOUNG_GENERATION_MB / 2}`];
