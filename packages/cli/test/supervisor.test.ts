import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@ocp/testkit';
import { type ChildSpec, splitLines, supervise } from '../src/index.ts';
import { cleanups, memoryLog } from './helpers.ts';

function nodeChild(name: string, script: string): ChildSpec {
  return { name, command: process.execPath, args: ['-e', script], cwd: process.cwd(), env: { PATH: '' } };
}

test("a child's output is shown line by line under its name, also a last line without a newline", async (t) => {
  const defer = cleanups(t);
  const { log, lines, waitForLine } = memoryLog();
  // Written in pieces that cut lines in two, as a pipe may deliver them.
  const script = `
    process.stdout.write('first li');
    setTimeout(() => process.stdout.write('ne\\nsecond line\\nunfinished'), 50);
    setTimeout(() => process.stderr.write('to stderr\\n'), 100);
    setTimeout(() => {}, 60000);`;
  const child = supervise(nodeChild('demo', script), log);
  defer(() => child.stop(1_000));

  await waitForLine(/^\[demo\] to stderr$/);
  await child.stop(1_000);
  await waitForLine(/^\[demo\] unfinished$/);
  // stdout and stderr are two pipes: only the order within each is certain.
  assert.deepEqual(
    lines.filter((l) => l.startsWith('[demo]') && l !== '[demo] to stderr'),
    ['[demo] first line', '[demo] second line', '[demo] unfinished'],
  );
});

test('a child that keeps exiting is restarted, each time after a longer wait up to the cap', async (t) => {
  const defer = cleanups(t);
  const { log, lines } = memoryLog();
  const child = supervise(nodeChild('crashy', "console.log('up'); process.exit(3)"), log, {
    initialMs: 100,
    maxMs: 400,
  });
  defer(() => child.stop(1_000));

  const restarts = () => lines.filter((l) => l.includes('restarting'));
  await waitFor('four restarts', async () => (restarts().length >= 4 ? true : undefined));
  assert.deepEqual(restarts().slice(0, 4), [
    '[start] crashy exited with code 3; restarting it in 0.1 s.',
    '[start] crashy exited with code 3; restarting it in 0.2 s.',
    '[start] crashy exited with code 3; restarting it in 0.4 s.',
    '[start] crashy exited with code 3; restarting it in 0.4 s.',
  ]);
  assert.ok(lines.filter((l) => l === '[crashy] up').length >= 3, 'it really ran again');
});

test('stop() kills a child that ignores SIGTERM after the grace period, and does not restart it', async (t) => {
  const defer = cleanups(t);
  const { log, lines, waitForLine } = memoryLog();
  const script =
    "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('ready'); setInterval(() => {}, 1000)";
  const child = supervise(nodeChild('stubborn', script), log, { initialMs: 50 });
  defer(() => child.stop(1_000));
  await waitForLine(/^\[stubborn\] ready$/);
  const pid = child.pid;
  assert.ok(pid);

  await child.stop(300);

  await waitForLine(/^\[stubborn\] ignoring SIGTERM$/);
  await waitForLine(/stubborn did not exit within 0\.3 s of SIGTERM; killed it/);
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the process is gone');
  await sleep(300);
  assert.equal(lines.filter((l) => l === '[stubborn] ready').length, 1, 'no restart after stop()');
  assert.equal(child.pid, undefined);
});

test('a child that exits on SIGTERM is stopped without being killed', async (t) => {
  const defer = cleanups(t);
  const { log, lines, waitForLine } = memoryLog();
  const child = supervise(nodeChild('polite', "console.log('ready'); setInterval(() => {}, 1000)"), log);
  defer(() => child.stop(1_000));
  await waitForLine(/^\[polite\] ready$/);

  await child.stop(5_000);

  assert.equal(
    lines.some((l) => l.includes('killed it') || l.includes('restarting')),
    false,
  );
});

test('text cut anywhere is put back into whole lines', () => {
  const got: string[] = [];
  const splitter = splitLines((line) => got.push(line));
  for (const chunk of ['a', 'b\r\nc', '\n\nd', 'e']) splitter.push(chunk);
  assert.deepEqual(got, ['ab', 'c', '']);
  splitter.end();
  assert.deepEqual(got, ['ab', 'c', '', 'de']);
});
