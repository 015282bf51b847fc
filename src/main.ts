// Process entry: `node src/main.ts [args]`. It sets the exit code rather than calling
// process.exit, so a started server keeps the process alive through its own handles
// and stdout is flushed before a `-t` or `-v` run ends.
import { runCli } from './cli.ts';

const code = await runCli(process.argv.slice(2), {
  start: async (config, options) => {
    // Imported only when a server is really started: `-t` and `-v` never load it.
    const { startServer } = await import('./server.ts');
    await startServer(config, { ...options, handleSignals: true });
  },
});
process.exitCode = code;
// A refused start has closed what it opened; should anything still hold the event loop
// (a worker slow to end), the refusal must still end the process promptly.
if (code !== 0) setTimeout(() => process.exit(code), 3000).unref();
