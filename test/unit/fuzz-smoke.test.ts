// A short coverage-guided run per fuzz target (a few seconds each, from the committed
// seed corpus): the fuzzer must run, reach coverage, and find no crash other than
// the open bugs already listed in test/fixtures/fuzz-regressions/open-bugs.json.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { CORPUS_DIR, readInputs } from '../fuzz/engine/corpus-files.ts';
import { openBug } from '../fuzz/engine/open-bugs.ts';
import { runFuzzTarget } from '../fuzz/engine/supervisor.ts';
import { TARGETS } from '../fuzz/targets/index.ts';

const SECONDS = 3;

for (const name of TARGETS) {
  test(`a ${SECONDS} s fuzz run of ${name} reaches coverage and finds no new crash`, { timeout: 60_000 }, async (t) => {
    const seeds = readInputs(path.join(CORPUS_DIR, name)).map((s) => s.bytes);
    const res = await runFuzzTarget({ target: name, seconds: SECONDS, seeds, seed: 1 });
    const fresh = res.crashes.filter((c) => {
      const why = openBug(c.signature);
      if (why !== undefined) t.diagnostic(`known open bug hit: ${c.signature} (${why})`);
      return why === undefined;
    });
    assert.deepEqual(fresh.map((c) => `${c.kind} ${c.signature}\n${c.detail}\ninput (base64): ${Buffer.from(c.input).toString('base64')}`), []);
    assert.ok(res.stats, 'the fuzz worker did not finish');
    const s = res.stats;
    t.diagnostic(`${s.execs} execs, corpus ${s.corpus} (+${s.added}), blocks ${s.blocksCovered}/${s.blocksKnown}`);
    assert.ok(s.execs > seeds.length, `only ${s.execs} executions`);
    assert.ok(s.blocksCovered > 0 && s.blocksCovered <= s.blocksKnown);
    assert.ok(s.corpus >= seeds.length);
  });
}
