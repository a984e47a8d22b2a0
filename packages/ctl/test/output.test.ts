import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createOutput } from '../src/output.ts';

function sink() {
  let text = '';
  return { stream: { write: (s: string) => (text += s) }, text: () => text };
}

const columns = [
  { header: 'SLUG', value: (r: { slug: string; n: number | null }) => r.slug },
  { header: 'N', value: (r: { slug: string; n: number | null }) => r.n },
];

describe('output', () => {
  test('a table aligns its columns under one header, page after page', () => {
    const out = sink();
    const err = sink();
    const o = createOutput({ format: 'table', color: false, stdout: out.stream, stderr: err.stream });
    const list = o.list(columns);
    list.rows([
      { slug: 'a', n: 1 },
      { slug: 'bb', n: null },
    ]);
    list.rows([{ slug: 'c', n: 30 }]);
    list.end();
    assert.equal(out.text(), 'SLUG  N\na     1\nbb\nc     30\n');
    assert.equal(err.text(), '');
  });

  test('an empty table says so on stderr, JSON says nothing', () => {
    const out = sink();
    const err = sink();
    const table = createOutput({ format: 'table', color: false, stdout: out.stream, stderr: err.stream });
    table.list(columns).end();
    assert.equal(out.text(), '');
    assert.equal(err.text(), '(none)\n');
    const json = createOutput({ format: 'json', color: false, stdout: out.stream, stderr: err.stream });
    json.list(columns).end();
    assert.equal(out.text(), '');
  });

  test('JSON writes one compact line per row and per document, and no human sentences', () => {
    const out = sink();
    const o = createOutput({ format: 'json', color: true, stdout: out.stream, stderr: sink().stream });
    o.list(columns).rows([
      { slug: 'a', n: 1 },
      { slug: 'b', n: 2 },
    ]);
    o.record({ id: 'x' }, [['id', 'x']]);
    o.say('Done.');
    assert.equal(out.text(), '{"slug":"a","n":1}\n{"slug":"b","n":2}\n{"id":"x"}\n');
    assert.equal(o.color, false);
  });

  test('colours only where asked, and a record lines up its labels', () => {
    const out = sink();
    const o = createOutput({ format: 'table', color: true, stdout: out.stream, stderr: sink().stream });
    assert.equal(o.paint('active', 'green'), '\u001b[32mactive\u001b[39m');
    const plain = createOutput({ format: 'table', color: false, stdout: out.stream, stderr: sink().stream });
    assert.equal(plain.paint('active', 'green'), 'active');
    plain.record({}, [
      ['id', 'x'],
      ['long label', ['a', 'b']],
      ['none', null],
    ]);
    assert.equal(out.text(), 'id:         x\nlong label: a,b\nnone:\n');
  });
});
