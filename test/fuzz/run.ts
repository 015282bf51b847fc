// `npm run fuzz [-- --seconds N] [-- --target NAME] [-- --save]`: runs every target (or
// one) for a bounded time, each in its own worker with V8 block coverage as feedback,
// prints the figures, and writes crashing inputs to test/fixtures/fuzz-regressions/.
// With --save, inputs that reached new coverage are added to test/fuzz/corpus/.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CORPUS_DIR, REGRESSIONS_DIR, readInputs, saveInput } from './engine/corpus-files.ts';
import type { FuzzStats } from './engine/protocol.ts';
import { runFuzzTarget } from './engine/supervisor.ts';
import { TARGETS, isTargetName } from './targets/index.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    target: { type: 'string', multiple: true },
    save: { type: 'boolean', default: false },
    seed: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, not ${values.seconds}`);
const names = values.target ?? [...TARGETS];
for (const n of names) if (!isTargetName(n)) throw new Error(`no fuzz target ${n}; targets: ${TARGETS.join(', ')}`);

const rows: FuzzStats[] = [];
let crashCount = 0;
for (const name of names) {
  const seeds = [...readInputs(path.join(CORPUS_DIR, name)), ...readInputs(path.join(REGRESSIONS_DIR, name))];
  process.stdout.write(`${name}: ${seeds.length} seed inputs, ${seconds} s\n`);
  const res = await runFuzzTarget({
    target: name,
    seconds,
    seeds: seeds.map((s) => s.bytes),
    save: values.save,
    seed: values.seed === undefined ? undefined : Number(values.seed),
    onProgress: (p) => process.stdout.write(`  ${p.execs} execs, corpus ${p.corpus}, ${p.blocksCovered} blocks\n`),
  });
  for (const c of res.crashes) {
    crashCount++;
    const file = saveInput(path.join(REGRESSIONS_DIR, name), c.input, `${c.kind}-`);
    process.stdout.write(`  CRASH (${c.kind}) ${c.signature}\n  input: ${path.relative(process.cwd(), file)}\n`);
    process.stdout.write(`  ${c.detail.split('\n').slice(0, 8).join('\n  ')}\n`);
  }
  if (values.save) for (const input of res.newInputs) saveInput(path.join(CORPUS_DIR, name), input);
  if (res.stats) {
    rows.push(res.stats);
    const s = res.stats;
    process.stdout.write(`  done: ${s.execs} execs (${Math.round(s.execs / s.seconds)}/s), corpus ${s.corpus} (+${s.added}), ` +
      `blocks ${s.blocksCovered}/${s.blocksKnown}, features ${s.features}\n`);
  }
}

process.stdout.write('\n| target | execs | execs/s | corpus (seeds + new) | blocks covered / seen | features | distinct crashes |\n');
process.stdout.write('| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n');
for (const s of rows) {
  process.stdout.write(`| ${s.target} | ${s.execs} | ${Math.round(s.execs / s.seconds)} | ${s.corpus} (${s.seeds} + ${s.added}) | ` +
    `${s.blocksCovered} / ${s.blocksKnown} | ${s.features} | ${s.crashes} |\n`);
}
process.stdout.write(`\n${crashCount} crash(es)${crashCount > 0 ? `, inputs in ${path.relative(process.cwd(), REGRESSIONS_DIR)}/` : ''}\n`);
process.exitCode = crashCount > 0 || rows.length < names.length ? 1 : 0;
