// V8 flags the server's process starts with: `npm start`, bin/sluice.js and the test and
// bench launchers all pass these before the entry (package.json and bin/sluice.js spell
// them out, as they cannot import this module; a unit test keeps the three equal).
//
// The main thread's young generation is capped at a 1 MB semi-space. Left to V8 it grows
// to its 32 MB default while the main thread type-strips and compiles every module at
// startup, and stays committed: V8 shrinks it only in a memory-reducing GC, which it
// re-arms only after an isolate's old generation has grown 10 MB. The main thread's steady
// work (config, API, the directory actor) allocates little, so the cap costs no measurable
// CPU (startup 711 vs 715 ms median, the density benchmark unchanged); worker threads get
// their own cap through Worker resourceLimits. It cannot be set from inside the process:
// v8.setFlagsFromString after the heap exists leaves the semi-space where it was.
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];
