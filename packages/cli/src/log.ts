import type { Readable, Writable } from 'node:stream';
import pinoPretty from 'pino-pretty';

/** Where the start command writes: its own messages and the output of what it runs, by source. */
export interface Log {
  info(message: string): void;
  error(message: string): void;
  /** A message that must stand out (where to log in): a block of its own on a terminal. */
  banner(message: string): void;
  /** One line written by a process we run (a service, nats-server, PostgreSQL), shown under its name. */
  line(source: string, text: string, stream?: 'stdout' | 'stderr'): void;
}

/**
 * `pretty`: readable lines for a person at a terminal; `json`: one JSON object per line, in the
 * services' own shape (`level`, `time`, `service`, `msg`), for a file or a log collector.
 */
export type LogFormat = 'pretty' | 'json';

/** Pretty on a terminal, JSON otherwise, as pino's own tools choose. */
export function logFormatFor(stream: { isTTY?: boolean }): LogFormat {
  return stream.isTTY ? 'pretty' : 'json';
}

/** Options of `createLog`. */
export interface LogOptions {
  /** Default: `logFormatFor(stdout)`. */
  format?: LogFormat;
  /** Colours in the pretty format; default: whether stdout is a terminal. */
  colorize?: boolean;
}

const INFO = 30;
const ERROR = 50;

/** A line that is a pino record (the services' logs), or undefined for any other text. */
function parseRecord(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A `Log` in `format`. The services already write pino's JSON lines: in JSON they pass through
 * as they are, and everything else (our own messages, nats-server's and PostgreSQL's text, the
 * gateway's first owner box) becomes a record of the same shape. Pretty, pino-pretty formats the
 * records, and text that is not a record is shown as it is under its source's name, so that the
 * gateway's first owner box and our banner stand out among the records.
 */
export function createLog(stdout: Writable, stderr: Writable, options: LogOptions = {}): Log {
  const format = options.format ?? logFormatFor(stdout as { isTTY?: boolean });
  const streamOf = (which: 'stdout' | 'stderr') => (which === 'stdout' ? stdout : stderr);
  const record = (level: number, service: string, msg: string) => ({
    level,
    time: new Date().toISOString(),
    service,
    msg,
  });

  if (format === 'json') {
    const write = (to: Writable, value: object) => to.write(`${JSON.stringify(value)}\n`);
    return {
      info: (message) => write(stdout, record(INFO, 'start', message)),
      error: (message) => write(stderr, record(ERROR, 'start', message)),
      banner: (message) => write(stdout, record(INFO, 'start', message.trim())),
      line: (source, text, stream = 'stdout') => {
        const to = streamOf(stream);
        if (parseRecord(text)) to.write(`${text}\n`);
        else write(to, record(INFO, source, text));
      },
    };
  }

  const colorize = options.colorize ?? Boolean((stdout as { isTTY?: boolean }).isTTY);
  const prettify = pinoPretty.prettyFactory({
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    // The service is shown as the record's name; pid and host are the same on every line.
    ignore: 'pid,hostname,service',
  });
  const pretty = (to: Writable, value: Record<string, unknown>, source: string) => {
    const name = typeof value.service === 'string' ? value.service : source;
    to.write(prettify({ ...value, name: value.name ?? name }));
  };
  return {
    info: (message) => pretty(stdout, record(INFO, 'start', message), 'start'),
    error: (message) => pretty(stderr, record(ERROR, 'start', message), 'start'),
    banner: (message) => stdout.write(`${message}\n`),
    line: (source, text, stream = 'stdout') => {
      const to = streamOf(stream);
      const parsed = parseRecord(text);
      if (parsed) pretty(to, parsed, source);
      else to.write(`[${source}] ${text}\n`);
    },
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

/**
 * A log that also keeps the last `keep` lines a server wrote, so that a server that refuses to
 * start can say why in the error.
 */
export function recordingLog(log: Log, recent: string[], keep = 20): Log {
  return {
    ...log,
    line: (source, text) => {
      recent.push(text);
      if (recent.length > keep) recent.shift();
      log.line(source, text, 'stderr');
    },
  };
}

/**
 * Plain text on the process's own streams, for the scripts that run before any log collector
 * does (the install check, the start command's own messages); `prefix` marks each line.
 */
export function plainLog(prefix = ''): Log {
  const say = (to: NodeJS.WriteStream) => (message: string) => {
    for (const line of message.split('\n')) to.write(`${prefix}${line}\n`);
  };
  return {
    info: say(process.stdout),
    error: say(process.stderr),
    banner: say(process.stdout),
    line: (source, text) => process.stdout.write(`[${source}] ${text}\n`),
  };
}
