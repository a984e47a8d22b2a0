import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { finished } from 'node:stream/promises';
import { crc32, createInflateRaw } from 'node:zlib';
import { OdooZipError } from './odoo-zip-errors.ts';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
const END_OF_CENTRAL_64 = 0x06064b50;
const DESCRIPTOR = 0x08074b50;
const DESCRIPTOR_BYTES = Buffer.from([0x50, 0x4b, 0x07, 0x08]);
/** What may follow an entry's data: the next entry or the central directory. */
const AFTER_ENTRY = new Set([LOCAL_HEADER, CENTRAL_HEADER, END_OF_CENTRAL, END_OF_CENTRAL_64]);
const NO_SIZE = 0xffffffff;
const EMPTY = Buffer.alloc(0);

/** One entry of a zip read front to back. Its stream is to be read to its end (or left: it is drained). */
export interface ZipEntry {
  /** The name as stored (utf8), not yet checked for safety. */
  name: string;
  directory: boolean;
  stream: Readable;
}

interface Descriptor {
  crc: number;
  compressedSize: number;
  size: number;
  length: number;
}

const truncated = () => new OdooZipError('the zip ends early: it is truncated or not a zip file');

/** The input as bytes pulled on demand, so entry data streams with back-pressure and nothing is buffered. */
class ByteSource {
  #buf: Buffer = EMPTY;
  #total = 0;
  #ended = false;
  readonly #it: AsyncIterator<unknown>;

  constructor(
    input: Readable,
    private readonly onBytes?: (total: number) => void,
  ) {
    this.#it = input[Symbol.asyncIterator]();
  }

  async #more(): Promise<boolean> {
    if (this.#ended) return false;
    const r = await this.#it.next();
    if (r.done) {
      this.#ended = true;
      return false;
    }
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(String(r.value));
    this.#total += chunk.length;
    this.onBytes?.(this.#total);
    this.#buf = this.#buf.length > 0 ? Buffer.concat([this.#buf, chunk]) : chunk;
    return true;
  }

  async ensure(n: number): Promise<boolean> {
    while (this.#buf.length < n) if (!(await this.#more())) return false;
    return true;
  }

  peekUInt32(): number {
    return this.#buf.readUInt32LE(0);
  }

  async read(n: number): Promise<Buffer> {
    if (!(await this.ensure(n))) throw truncated();
    const r = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return r;
  }

  async *take(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.#buf.length === 0 && !(await this.#more())) throw truncated();
      const c = this.#buf.subarray(0, Math.min(left, this.#buf.length));
      this.#buf = this.#buf.subarray(c.length);
      left -= c.length;
      yield c;
    }
  }

  /**
   * A data descriptor at `i` whose compressed size equals the bytes before it and that is followed
   * by another header: a descriptor signature inside the data is not taken for one (unzipper's
   * Parse takes the first and cuts the entry there).
   */
  #descriptorAt(i: number, compressedSize: number, signed: boolean): Descriptor | null {
    const b = this.#buf;
    const at = signed ? i + 4 : i;
    const followed = (o: number) => o + 4 <= b.length && AFTER_ENTRY.has(b.readUInt32LE(o));
    if (at + 12 <= b.length && b.readUInt32LE(at + 4) === compressedSize && followed(at + 12))
      return { crc: b.readUInt32LE(at), compressedSize, size: b.readUInt32LE(at + 8), length: at + 12 - i };
    if (at + 20 <= b.length && b.readBigUInt64LE(at + 4) === BigInt(compressedSize) && followed(at + 20))
      return {
        crc: b.readUInt32LE(at),
        compressedSize,
        size: Number(b.readBigUInt64LE(at + 12)),
        length: at + 20 - i,
      };
    return null;
  }

  /** Entry data of unknown length (general purpose flag bit 3): up to its signed data descriptor. */
  async *untilDescriptor(): AsyncGenerator<Buffer, Descriptor> {
    let emitted = 0;
    let from = 0;
    for (;;) {
      const i = this.#buf.indexOf(DESCRIPTOR_BYTES, from);
      if (i === -1) {
        const n = this.#buf.length - Math.min(3, this.#buf.length);
        if (n > 0) {
          yield this.#buf.subarray(0, n);
          emitted += n;
          this.#buf = this.#buf.subarray(n);
        }
        from = 0;
        if (!(await this.#more())) throw truncated();
        continue;
      }
      if (this.#buf.length < i + 28 && (await this.#more())) continue;
      const d = this.#descriptorAt(i, emitted + i, true);
      if (d) {
        if (i > 0) yield this.#buf.subarray(0, i);
        this.#buf = this.#buf.subarray(i + d.length);
        return d;
      }
      from = i + 1;
    }
  }

  /** The data descriptor after data of known length (signed or not). */
  async descriptorAfter(compressedSize: number): Promise<Descriptor> {
    await this.ensure(32);
    const signed = this.#buf.length >= 4 && this.#buf.readUInt32LE(0) === DESCRIPTOR;
    const d =
      this.#descriptorAt(0, compressedSize, signed) ??
      (signed ? this.#descriptorAt(0, compressedSize, false) : null);
    if (!d) throw new OdooZipError('the zip is corrupt: an entry has no valid data descriptor');
    this.#buf = this.#buf.subarray(d.length);
    return d;
  }

  async drain(): Promise<void> {
    this.#buf = EMPTY;
    while (await this.#more()) this.#buf = EMPTY;
  }
}

/** Reads the zip64 extended-information extra field where the header's sizes are 0xffffffff. */
function zip64Sizes(
  extra: Buffer,
  size: number,
  compressedSize: number,
): { size: number; compressedSize: number } {
  let o = 0;
  while (o + 4 <= extra.length) {
    const id = extra.readUInt16LE(o);
    const len = extra.readUInt16LE(o + 2);
    if (id === 0x0001) {
      let p = o + 4;
      const next = () => {
        if (p + 8 > o + 4 + len)
          throw new OdooZipError('the zip is corrupt: a zip64 extra field is too short');
        const v = Number(extra.readBigUInt64LE(p));
        p += 8;
        return v;
      };
      const s = size === NO_SIZE ? next() : size;
      const c = compressedSize === NO_SIZE ? next() : compressedSize;
      return { size: s, compressedSize: c };
    }
    o += 4 + len;
  }
  return { size, compressedSize };
}

/**
 * The entries of a zip read sequentially from a stream, as Odoo's restore reads an upload but
 * without a temporary file: local headers in order, stored or deflated, sizes from the header, its
 * zip64 extra field or a data descriptor, each entry's CRC-32 and size checked as it ends (its
 * stream errors with OdooZipError otherwise). Stops at the central directory and drains the rest
 * of the input. Encrypted entries and other compression methods are refused.
 */
export async function* readZipEntries(
  input: Readable,
  onBytes?: (total: number) => void,
): AsyncGenerator<ZipEntry, void, undefined> {
  const src = new ByteSource(input, onBytes);
  let first = true;
  for (;;) {
    if (!(await src.ensure(4)))
      throw first ? new OdooZipError('the upload is empty, not a zip file') : truncated();
    const signature = src.peekUInt32();
    if (first && signature === DESCRIPTOR) {
      await src.read(4); // the "spanned archive" marker some writers put first
      continue;
    }
    if (signature === CENTRAL_HEADER || signature === END_OF_CENTRAL || signature === END_OF_CENTRAL_64) {
      await src.drain();
      return;
    }
    if (signature !== LOCAL_HEADER)
      throw new OdooZipError(
        first ? 'the upload is not a zip file' : 'the zip is corrupt: no entry header where one should be',
      );
    first = false;

    const h = await src.read(30);
    const flags = h.readUInt16LE(6);
    const method = h.readUInt16LE(8);
    const name = (await src.read(h.readUInt16LE(26))).toString('utf8');
    const extra = await src.read(h.readUInt16LE(28));
    if (flags & 0x0001) throw new OdooZipError(`zip entry ${name} is encrypted`);
    if (method !== 0 && method !== 8)
      throw new OdooZipError(
        `zip entry ${name} uses compression method ${method}; only stored and deflated are read`,
      );
    const sizes = zip64Sizes(extra, h.readUInt32LE(22), h.readUInt32LE(18));
    const hasDescriptor = (flags & 0x0008) !== 0;
    const sizeKnown = !hasDescriptor || sizes.compressedSize > 0;
    const expected = { crc: h.readUInt32LE(14), size: sizes.size };

    let settle!: { resolve: () => void; reject: (e: unknown) => void };
    const rawDone = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    rawDone.catch(() => {}); // observed below; the entry's stream carries the error too
    async function* raw(): AsyncGenerator<Buffer> {
      let finished = false;
      try {
        let d: Descriptor | null = null;
        if (sizeKnown) {
          yield* src.take(sizes.compressedSize);
          if (hasDescriptor) d = await src.descriptorAfter(sizes.compressedSize);
        } else {
          d = yield* src.untilDescriptor();
        }
        if (d) {
          expected.crc = d.crc;
          expected.size = d.size;
        }
        finished = true;
        settle.resolve();
      } catch (e) {
        finished = true;
        settle.reject(e);
        throw e;
      } finally {
        if (!finished) settle.reject(new OdooZipError(`zip entry ${name} was not read to its end`));
      }
    }

    let crc = 0;
    let size = 0;
    const verify = new Transform({
      transform(chunk: Buffer, _encoding, callback: TransformCallback) {
        crc = crc32(chunk, crc);
        size += chunk.length;
        callback(null, chunk);
      },
      flush(callback: TransformCallback) {
        if (size !== expected.size || crc >>> 0 !== expected.crc >>> 0)
          callback(
            new OdooZipError(`zip entry ${name} is corrupt: its size or CRC-32 differs from its header`),
          );
        else callback();
      },
    });
    let streamError: Error | null = null;
    const onEnd = (err: Error | null) => {
      if (err) streamError = err;
    };
    const source = Readable.from(raw(), { objectMode: false });
    const stream: Readable =
      method === 8 ? pipeline(source, createInflateRaw(), verify, onEnd) : pipeline(source, verify, onEnd);
    yield { name, directory: name.endsWith('/') && expected.size === 0, stream };
    if (!stream.readableEnded && !stream.destroyed) stream.resume();
    try {
      await finished(stream);
      await rawDone;
    } catch (e) {
      const err: unknown = streamError ?? e;
      if (err instanceof OdooZipError) throw err;
      throw new OdooZipError(`zip entry ${name} is corrupt: ${(err as Error).message}`, { cause: err });
    }
  }
}
