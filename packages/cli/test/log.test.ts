import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLog, type LogFormat, logFormatFor } from '../src/index.ts';

/** A stream that keeps what is written to it, with `isTTY` as a terminal or a pipe has it. */
function sink(isTTY: boolean): Writable & { isTTY: boolean; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { isTTY, text: () => chunks.join('') });
}

const RECORD =
  '{"level":40,"time":"2026-12-01T10:00:00.000Z","pid":7,"hostname":"h","service":"gateway","msg":"disconnected from NATS; reconnecting"}';

function writeAll(format: LogFormat | undefined, isTTY: boolean) {
  const out = sink(isTTY);
  const err = sink(isTTY);
  const log = createLog(out, err, format ? { format, colorize: false } : {});
  log.info('Waiting for the gateway.');
  log.error('nats-server was killed by SIGKILL; restarting it in 1.0 s.');
  log.line('gateway', RECORD);
  log.line('nats', '[12] Server is ready', 'stderr');
  log.banner('\nThe platform is running.\n  Admin API:   http://127.0.0.1:8080/api/v1\n');
  return { out: out.text(), err: err.text() };
}

test('the start command writes pretty logs to a terminal and JSON lines to anything else', () => {
  assert.equal(logFormatFor({ isTTY: true }), 'pretty');
  assert.equal(logFormatFor({ isTTY: false }), 'json');
  assert.equal(logFormatFor({}), 'json');

  // Without a format, the choice follows stdout.
  assert.doesNotThrow(() => JSON.parse(writeAll(undefined, false).out.split('\n')[0]!));
  assert.match(
    writeAll(undefined, true).out,
    /^\[\d\d:\d\d:\d\d\.\d{3}\] .*INFO.* \(start\): .*Waiting for the gateway\./,
  );
});

test("in JSON, the services' records pass through unchanged and everything else becomes a record of the same shape", () => {
  const { out, err } = writeAll('json', false);
  const outLines = out.trimEnd().split('\n');
  const errLines = err.trimEnd().split('\n');
  const records = [...outLines, ...errLines].map((l) => JSON.parse(l));
  assert.equal(records.length, 5, 'one line per message, the banner included');

  assert.ok(outLines.includes(RECORD), 'a record from a service is written as it came');
  const byMsg = (msg: string) => records.find((r) => r.msg === msg);
  assert.deepEqual(
    { ...byMsg('Waiting for the gateway.'), time: undefined },
    { level: 30, service: 'start', msg: 'Waiting for the gateway.', time: undefined },
  );
  assert.equal(byMsg('nats-server was killed by SIGKILL; restarting it in 1.0 s.')?.level, 50);
  assert.equal(byMsg('[12] Server is ready')?.service, 'nats');
  assert.ok(byMsg('The platform is running.\n  Admin API:   http://127.0.0.1:8080/api/v1'));
  assert.ok(
    errLines.some((l) => l.includes('killed by SIGKILL')),
    'errors go to stderr',
  );
  assert.ok(
    errLines.some((l) => l.includes('Server is ready')),
    "a child's stderr stays on stderr",
  );
});

test('pretty, records are formatted by pino-pretty and the banner stands on its own lines', () => {
  const { out, err } = writeAll('pretty', true);
  assert.match(out, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(start\): Waiting for the gateway\.$/m);
  assert.match(out, /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN \(gateway\): disconnected from NATS; reconnecting$/m);
  assert.ok(!out.includes('{"level"'), 'no JSON on the terminal');
  assert.ok(!out.includes('hostname'), 'pid and host are left out');
  assert.match(err, /ERROR \(start\): nats-server was killed by SIGKILL/);
  assert.match(err, /^\[nats\] \[12\] Server is ready$/m);
  assert.ok(out.includes('\nThe platform is running.\n  Admin API:   http://127.0.0.1:8080/api/v1\n'));
});
