import type { Readable, Writable } from 'node:stream';

/** Where the start command writes: its own messages and the output of what it runs, by source. */
export interface Log {
  info(message: string): void;
  error(message: string): void;
  /** One line written by a process we run (a service, nats-server, PostgreSQL), shown under its name. */
  line(source: string, text: string, stream?: 'stdout' | 'stderr'): void;
}

/** A `Log` that prefixes every line with its source, e.g. `[tenant] `. */
export function createLog(stdout: Writable, stderr: Writable): Log {
  const write = (to: Writable, source: string, text: string) => {
    to.write(`[${source}] ${text}\n`);
  };
  return {
    info: (message) => {
      for (const text of message.split('\n')) write(stdout, 'start', text);
    },
    error: (message) => {
      for (const text of message.split('\n')) write(stderr, 'start', text);
    },
    line: (source, text, stream = 'stdout') => write(stream === 'stdout' ? stdout : stderr, source, text),
  };
}

/** Cuts text that arrives in arbitrary chunks into whole lines. */
export interface LineSplitter {
  push(chunk: string): void;
  /** Hands on a last line that had no newline. */
  end(): void;
}

/** A `LineSplitter` that calls `onLine` for each complete line, without its line ending. */
export function splitLines(onLine: (line: string) => void): LineSplitter {
  let pending = '';
  return {
    push(chunk) {
      const parts = (pending + chunk).split(/\r?\n/);
      pending = parts.pop() ?? '';
      for (const line of parts) onLine(line);
    },
    end() {
      if (pending !== '') onLine(pending);
      pending = '';
    },
  };
}

/** Hands each line of a child's output stream to `onLine`. */
export function pipeLines(stream: Readable, onLine: (line: string) => void): void {
  const splitter = splitLines(onLine);
  // Decoding in the stream keeps a multi-byte character that spans two chunks intact.
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => splitter.push(chunk));
  stream.on('end', () => splitter.end());
}
