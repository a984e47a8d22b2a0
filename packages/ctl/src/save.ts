import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Context } from './context.ts';
import { InterruptedError } from './errors.ts';

/**
 * Writes a response body to `file` (or stdout for `-`) as it arrives, never holding it whole: to
 * `<file>.partial` first, renamed once complete, removed when the transfer fails or is interrupted.
 * Answers the bytes written.
 */
export async function saveBody(
  ctx: Context,
  body: ReadableStream<Uint8Array> | null,
  file: string,
): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const source = body ? Readable.fromWeb(body as WebReadableStream<Uint8Array>) : Readable.from([]);
  const signal = ctx.io.signal;
  try {
    if (file === '-') {
      await pipeline(source, counter, ctx.io.stdout, { signal, end: false });
      return bytes;
    }
    const partial = `${file}.partial`;
    try {
      await pipeline(source, counter, createWriteStream(partial, { mode: 0o600 }), { signal });
      await rename(partial, file);
    } catch (e) {
      await rm(partial, { force: true });
      throw e;
    }
    return bytes;
  } catch (e) {
    if (signal.aborted) throw new InterruptedError();
    throw e;
  }
}

/** The file name a response suggests (its content-disposition), reduced to a plain name. */
export function suggestedName(response: Response): string | undefined {
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/i.exec(disposition)?.[1];
  const plain = name?.replace(/^.*[\\/]/, '').replace(/[^\w.-]/g, '_');
  return plain && plain !== '.' && plain !== '..' ? plain : undefined;
}
