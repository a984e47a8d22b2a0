import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { SlackDeliveryError } from '../src/slack/errors.ts';
import { slackClient } from '../src/slack/webhook-client.ts';

const SECRET_PATH = '/services/T000/B000/very-secret-part';
const message = { text: 'hello', blocks: [] };

/** A webhook that answers each POST with the next of `statuses` (the last repeats), and counts them. */
async function webhook(t: test.TestContext, statuses: number[]) {
  let posts = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const status = statuses[Math.min(posts, statuses.length - 1)]!;
      posts += 1;
      res.writeHead(status).end(status === 200 ? 'ok' : status === 404 ? 'no_service' : 'oops');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}${SECRET_PATH}`, posts: () => posts };
}

const never = new AbortController().signal;

test('a 5xx is retried with backoff and the message given up after the attempts allowed, never naming the URL', async (t) => {
  const hook = await webhook(t, [503]);
  const client = slackClient({ url: hook.url, timeoutMs: 2000, attempts: 3, backoffMs: 5 });
  await assert.rejects(client.post(message, { signal: never }), (e: unknown) => {
    assert.ok(e instanceof SlackDeliveryError);
    assert.equal(e.status, 503);
    assert.match(e.message, /503 to 3 posts/);
    assert.ok(!e.message.includes('very-secret-part'));
    return true;
  });
  assert.equal(hook.posts(), 3);
});

test('a 5xx then a 200 delivers; a 4xx other than 429 is refused at once', async (t) => {
  const flaky = await webhook(t, [500, 200]);
  await slackClient({ url: flaky.url, timeoutMs: 2000, attempts: 3, backoffMs: 5 }).post(message, {
    signal: never,
  });
  assert.equal(flaky.posts(), 2);
  const gone = await webhook(t, [404]);
  await assert.rejects(
    slackClient({ url: gone.url, timeoutMs: 2000, attempts: 3, backoffMs: 5 }).post(message, {
      signal: never,
    }),
    /refused the message with 404 \(no_service\)/,
  );
  assert.equal(gone.posts(), 1);
});

test('a webhook that does not answer is given up after the attempts, with the reason and without the URL', async () => {
  // A port nothing listens on any more.
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  const url = `http://127.0.0.1:${port}${SECRET_PATH}`;
  await assert.rejects(
    slackClient({ url, timeoutMs: 2000, attempts: 2, backoffMs: 5 }).post(message, { signal: never }),
    (e: unknown) =>
      e instanceof SlackDeliveryError &&
      /did not answer 2 posts \(ECONNREFUSED\)/.test(e.message) &&
      !e.message.includes('very-secret-part'),
  );
});

test('a stop cuts a wait short with the signal’s reason, not a delivery error', async (t) => {
  const hook = await webhook(t, [503]);
  const stop = new AbortController();
  const posting = slackClient({ url: hook.url, timeoutMs: 2000, attempts: 10, backoffMs: 60_000 }).post(
    message,
    {
      signal: stop.signal,
    },
  );
  while (hook.posts() === 0) await new Promise((r) => setTimeout(r, 5));
  stop.abort(new Error('stopping'));
  await assert.rejects(posting, /stopping/);
});
