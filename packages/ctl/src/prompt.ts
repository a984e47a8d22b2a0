import { createInterface } from 'node:readline/promises';
import type { Io } from './context.ts';
import { InterruptedError } from './errors.ts';

/** Everything on stdin, without its final line break (a token or password piped in). */
export async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks a question on stderr and answers the line typed on the terminal. */
export async function promptLine(io: Io, question: string): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream, terminal: true });
  try {
    return (await rl.question(question, { signal: io.signal })).trim();
  } catch (e) {
    if (io.signal.aborted || (e as Error).name === 'AbortError') throw new InterruptedError();
    throw e;
  } finally {
    rl.close();
  }
}

/**
 * Asks for a secret on the terminal without showing it: raw mode, each key read by hand (Enter ends,
 * Backspace erases, Ctrl-C interrupts, Ctrl-D ends an empty answer).
 */
export async function promptSecret(io: Io, question: string): Promise<string> {
  const { stdin } = io;
  if (!stdin.setRawMode) return promptLine(io, question);
  io.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let secret = '';
      const done = (err?: Error) => {
        stdin.off('data', onData);
        io.signal.removeEventListener('abort', onAbort);
        io.stderr.write('\n');
        if (err) reject(err);
        else resolve(secret);
      };
      const onAbort = () => done(new InterruptedError());
      const onData = (data: Buffer | string) => {
        for (const ch of data.toString('utf8')) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
          if (ch === '\u0003') return done(new InterruptedError());
          if (ch === '\u007f' || ch === '\b') secret = secret.slice(0, -1);
          else if (ch >= ' ') secret += ch;
        }
      };
      io.signal.addEventListener('abort', onAbort, { once: true });
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}
