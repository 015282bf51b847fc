// Every input that once broke a parser (test/fixtures/fuzz-regressions/<target>/) and
// every seed (test/fuzz/corpus/<target>/) goes through its fuzz target again: it must
// return or throw SluiceError, in time and without a memory blow-up. A failure that is
// a known open bug (open-bugs.json beside the fixtures) is reported as `todo` instead.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { CORPUS_DIR, REGRESSIONS_DIR, readInputs } from '../fuzz/engine/corpus-files.ts';
import { openBug } from '../fuzz/engine/open-bugs.ts';
import { replayInput } from '../fuzz/engine/replay.ts';
import { TARGETS, loadTarget } from '../fuzz/targets/index.ts';

for (const name of TARGETS) {
  const inputs = [
    ...readInputs(path.join(REGRESSIONS_DIR, name)).map((i) => ({ ...i, kind: 'regression' })),
    ...readInputs(path.join(CORPUS_DIR, name)).map((i) => ({ ...i, kind: 'seed' })),
  ];

  test(`fuzz regressions and seed corpus of ${name} decode or throw SluiceError`, async (t) => {
    assert.ok(inputs.some((i) => i.kind === 'seed'), `no seed corpus for ${name}`);
    const target = await loadTarget(name);
    await target.setup?.();
    try {
      for (const { name: file, bytes, kind } of inputs) {
        const key = `${name}/${file}`;
        await t.test(`${kind} ${key}`, async (st) => {
          const failure = await replayInput(target, bytes);
          if (failure === null) return;
          const open = openBug(failure.signature, key);
          if (open !== undefined) st.todo(`open bug: ${open}`);
          assert.fail(`${key}: ${failure.signature}\n${failure.detail}`);
        });
      }
    } finally {
      await target.teardown?.();
    }
  });
}
