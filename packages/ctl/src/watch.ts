import { type Schemas, unwrap } from '@ocp/api-client';
import cliProgress from 'cli-progress';
import type { Context } from './context.ts';
import { InterruptedError, OperationFailedError } from './errors.ts';

export type Operation = Schemas['Operation'];

/** How a followed operation is shown: a bar, plain lines, JSON lines, or not at all. */
export type WatchDisplay = 'bar' | 'lines' | 'json' | 'none';

/** How often an operation is asked for while it runs. */
export const DEFAULT_INTERVAL_MS = 500;

const ended = (op: Operation) => op.state === 'succeeded' || op.state === 'failed';

function describe(op: Operation): string {
  const bytes = op.bytesDone ? ` ${formatBytes(op.bytesDone)}` : '';
  return `${op.state} ${op.progress}%${op.step ? ` ${op.step}` : ''}${bytes}`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new InterruptedError());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Follows an operation until it ends, asking for it every `intervalMs`; answers it when it
 * succeeded and throws `OperationFailedError` (exit 7) when it failed. A bar and plain lines go to
 * `to` (stderr while a command waits for its own operation, stdout for `operations watch`); JSON
 * lines go to stdout, one per change.
 */
export async function watchOperation(
  ctx: Context,
  id: string,
  opts: { display: WatchDisplay; intervalMs?: number; to?: 'stdout' | 'stderr' },
): Promise<Operation> {
  const api = await ctx.api();
  const stream = opts.to === 'stdout' ? ctx.io.stdout : ctx.io.stderr;
  const interval = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
  let bar: cliProgress.SingleBar | undefined;
  let last = '';
  const show = (op: Operation) => {
    const line = describe(op);
    if (line === last) return;
    last = line;
    if (opts.display === 'json') ctx.out.json(op);
    else if (opts.display === 'lines') stream.write(`${op.id} ${line}\n`);
    else if (opts.display === 'bar') {
      const payload = { kind: op.kind, state: op.state, step: op.step ?? '' };
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: '{kind} [{bar}] {percentage}% {state} {step}',
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(100, op.progress, payload);
      } else bar.update(op.progress, payload);
    }
  };
  try {
    for (;;) {
      const op = await unwrap(api.GET('/api/v1/operations/{id}', { params: { path: { id } } }));
      show(op);
      if (ended(op)) {
        if (op.state === 'failed') throw new OperationFailedError(op);
        return op;
      }
      await sleep(interval, ctx.io.signal);
    }
  } finally {
    bar?.stop();
  }
}

/** The display of an operation a mutating command started and waits for: never on stdout. */
export function waitDisplay(ctx: Context): WatchDisplay {
  if (ctx.out.format === 'json') return 'none';
  return ctx.io.stderr.isTTY ? 'bar' : 'lines';
}

/**
 * Ends a command that started an operation: with `wait`, follows it (exit 7 when it fails) and
 * `refresh`es what it changed; then prints the answer (JSON) or `summary` with the operation's state.
 */
export async function finishOperation<A extends { operation: Operation }>(
  ctx: Context,
  answer: A,
  opts: { wait?: boolean; summary: string; refresh?: () => Promise<Partial<A>> },
): Promise<void> {
  let result = answer;
  if (opts.wait) {
    const operation = await watchOperation(ctx, answer.operation.id, { display: waitDisplay(ctx) });
    result = { ...answer, operation, ...(opts.refresh ? await opts.refresh() : {}) };
  }
  const op = result.operation;
  ctx.out.json(result);
  ctx.out.say(
    `${opts.summary}: operation ${op.id} ${ctx.out.paint(op.state, op.state === 'succeeded' ? 'green' : undefined)}` +
      (opts.wait ? '' : ` (follow it with: ocpctl operations watch ${op.id})`),
  );
}
