// How the bench starts a process it measures: optionally pinned (`taskset -c CPUS`) and
// optionally at another priority (`nice -n N`, from `--nice`, through BENCH_NICE), so
// that on a shared machine the processes under test are not starved by unrelated work.
// Both exec their command, so the PID we get is the measured process's own.

export function launchCommand(cpus: string | undefined, cmd: string, args: string[]): [string, string[]] {
  let file = cmd;
  let argv = args;
  if (cpus) [file, argv] = ['taskset', ['-c', cpus, file, ...argv]];
  const nice = process.env.BENCH_NICE;
  if (nice && nice !== '0') [file, argv] = ['nice', ['-n', nice, file, ...argv]];
  return [file, argv];
}
