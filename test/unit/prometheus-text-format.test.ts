// The Prometheus text format writer, read back by a small parser written here from the
// format's description (not from the writer), both by example and for random families.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { writePrometheus, formatValue, type MetricFamily } from '../../src/net/http/prometheus.ts';
import { parsePrometheus } from './prometheus-parser.ts';

test('a family is written as HELP, TYPE, then one line per sample', () => {
  const text = writePrometheus([
    { name: 'sluice_connections', help: 'Connections by type.', type: 'gauge', samples: [{ labels: { type: 'rtmp-play' }, value: 3 }, { labels: { type: 'flv-play' }, value: 0 }] },
    { name: 'sluice_streams', help: 'Streams.', type: 'gauge', samples: [{ value: 1 }] },
  ]);
  assert.equal(text, [
    '# HELP sluice_connections Connections by type.',
    '# TYPE sluice_connections gauge',
    'sluice_connections{type="rtmp-play"} 3',
    'sluice_connections{type="flv-play"} 0',
    '# HELP sluice_streams Streams.',
    '# TYPE sluice_streams gauge',
    'sluice_streams 1',
    '',
  ].join('\n'));
});

test('label values and help text are escaped', () => {
  const text = writePrometheus([{ name: 'm', help: 'a\\b\nc', type: 'counter', samples: [{ labels: { s: 'q"uo\\te\nnl' }, value: 1.5 }] }]);
  assert.equal(text, '# HELP m a\\\\b\\nc\n# TYPE m counter\nm{s="q\\"uo\\\\te\\nnl"} 1.5\n');
  const p = parsePrometheus(text);
  assert.equal(p.help.get('m'), 'a\\b\nc');
  assert.deepEqual(p.samples[0], { name: 'm', labels: { s: 'q"uo\\te\nnl' }, value: 1.5 });
});

test('special values are spelled as Prometheus reads them', () => {
  assert.equal(formatValue(NaN), 'NaN');
  assert.equal(formatValue(Infinity), '+Inf');
  assert.equal(formatValue(-Infinity), '-Inf');
  assert.equal(formatValue(1e21), '1e+21');
  assert.equal(formatValue(-0.25), '-0.25');
});

test('bad metric or label names are refused, and so is a family written twice', () => {
  assert.throws(() => writePrometheus([{ name: '1bad', help: '', type: 'gauge', samples: [] }]), TypeError);
  assert.throws(() => writePrometheus([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { 'a-b': 'x' }, value: 1 }] }]), TypeError);
  assert.throws(() => writePrometheus([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { __x: 'x' }, value: 1 }] }]), TypeError);
  const f: MetricFamily = { name: 'dup', help: '', type: 'gauge', samples: [] };
  assert.throws(() => writePrometheus([f, f]), TypeError);
});

const nameArb = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/);
const labelNameArb = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,10}$/);
const valueArb = fc.oneof(fc.double(), fc.integer(), fc.constant(0));
const familyArb = fc.record({
  help: fc.string(),
  type: fc.constantFrom('counter' as const, 'gauge' as const, 'untyped' as const),
  samples: fc.array(fc.record({ labels: fc.dictionary(labelNameArb, fc.string(), { maxKeys: 4 }), value: valueArb }), { maxLength: 5 }),
});

test('random families survive a round trip through the parser', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.tuple(nameArb, familyArb), { selector: ([n]) => n, maxLength: 6 }), (list) => {
      const families: MetricFamily[] = list.map(([name, f]) => ({ name, ...f }));
      const parsed = parsePrometheus(writePrometheus(families));
      const expected = families.flatMap((f) => f.samples.map((s) => ({ name: f.name, labels: s.labels ?? {}, value: s.value })));
      assert.equal(parsed.samples.length, expected.length);
      parsed.samples.forEach((s, i) => {
        const e = expected[i]!;
        assert.equal(s.name, e.name);
        assert.deepEqual(s.labels, { ...e.labels });
        if (Number.isNaN(e.value)) assert.ok(Number.isNaN(s.value));
        else assert.equal(s.value, e.value === 0 ? 0 : e.value); // -0 prints as 0
      });
      for (const f of families) {
        assert.equal(parsed.help.get(f.name), f.help);
        assert.equal(parsed.type.get(f.name), f.type);
      }
    }),
    { numRuns: 300 },
  );
});
