import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for AWS KMS (which cannot run here) speaking its JSON 1.1 wire protocol, so that the
 * real @aws-sdk/client-kms, through the Encryption SDK's KmsKeyringNode, runs against it:
 * POST / with `X-Amz-Target: TrentService.<Operation>` and `application/x-amz-json-1.1` bodies,
 * blobs in base64, errors as HTTP 400 `{"__type": ..., "message": ...}`.
 *
 * Keys are AES-256 keys held in memory. A ciphertext blob is
 * `1 | key index (4 bytes) | IV (12) | GCM tag (16) | ciphertext`, with the encryption context,
 * canonicalised, as additional data: as with KMS, Decrypt needs the very same context.
 */
export interface KmsDouble {
  /** http://127.0.0.1:<port> */
  url: string;
  region: string;
  /** The ARN of a key made at start. */
  keyId: string;
  /** Makes another key and returns its ARN. */
  createKey(): string;
  /** Operations served so far, by name ("GenerateDataKey", "Decrypt", ...). */
  calls: Record<string, number>;
  close(): Promise<void>;
}

const ACCOUNT = '111122223333';

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const canonicalContext = (ctx: unknown): Buffer => {
  if (ctx === undefined || ctx === null) return Buffer.alloc(0);
  if (typeof ctx !== 'object' || Array.isArray(ctx))
    throw new KmsError('ValidationException', 'EncryptionContext must be a map');
  const entries = Object.entries(ctx as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  for (const [, v] of entries)
    if (typeof v !== 'string')
      throw new KmsError('ValidationException', 'EncryptionContext values must be strings');
  return Buffer.from(JSON.stringify(entries));
};

const blob = (v: unknown, field: string): Buffer => {
  if (typeof v !== 'string' || v === '')
    throw new KmsError(
      'ValidationException',
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  return Buffer.from(v, 'base64');
};

export async function startKmsDouble(opts: { region?: string } = {}): Promise<KmsDouble> {
  const region = opts.region ?? 'us-east-1';
  const keys: Array<{ arn: string; material: Buffer }> = [];
  const calls: Record<string, number> = {};
  const createKey = (): string => {
    const arn = `arn:aws:kms:${region}:${ACCOUNT}:key/${randomUUID()}`;
    keys.push({ arn, material: randomBytes(32) });
    return arn;
  };
  const keyId = createKey();

  const findKey = (id: unknown): { arn: string; material: Buffer; index: number } => {
    if (typeof id !== 'string' || id === '') throw new KmsError('ValidationException', 'KeyId is required');
    const index = keys.findIndex((k) => k.arn === id || k.arn.endsWith(`:key/${id}`));
    const key = keys[index];
    if (!key) throw new KmsError('NotFoundException', `Key '${id}' does not exist`);
    return { ...key, index };
  };

  const seal = (index: number, material: Buffer, plaintext: Buffer, ctx: unknown): Buffer => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', material, iv);
    cipher.setAAD(canonicalContext(ctx));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const head = Buffer.alloc(5);
    head.writeUInt8(1, 0);
    head.writeUInt32BE(index, 1);
    return Buffer.concat([head, iv, cipher.getAuthTag(), body]);
  };

  const unseal = (ciphertext: Buffer, ctx: unknown, wantKey: unknown): { arn: string; plaintext: Buffer } => {
    if (ciphertext.length < 5 + 12 + 16 || ciphertext.readUInt8(0) !== 1)
      throw new KmsError('InvalidCiphertextException', 'The ciphertext is invalid');
    const key = keys[ciphertext.readUInt32BE(1)];
    if (!key) throw new KmsError('InvalidCiphertextException', 'The ciphertext is invalid');
    if (wantKey !== undefined && findKey(wantKey).arn !== key.arn)
      throw new KmsError(
        'IncorrectKeyException',
        'The key ID in the request does not identify the key that encrypted the ciphertext',
      );
    const decipher = createDecipheriv('aes-256-gcm', key.material, ciphertext.subarray(5, 17));
    decipher.setAuthTag(ciphertext.subarray(17, 33));
    decipher.setAAD(canonicalContext(ctx));
    try {
      return {
        arn: key.arn,
        plaintext: Buffer.concat([decipher.update(ciphertext.subarray(33)), decipher.final()]),
      };
    } catch {
      // What KMS answers for a changed ciphertext or a context other than the one it was made with.
      throw new KmsError('InvalidCiphertextException', '');
    }
  };

  const operations: Record<string, (req: Record<string, unknown>) => Record<string, unknown>> = {
    GenerateDataKey(req) {
      const key = findKey(req.KeyId);
      let bytes: number;
      if (req.NumberOfBytes !== undefined) bytes = Number(req.NumberOfBytes);
      else if (req.KeySpec === 'AES_256') bytes = 32;
      else if (req.KeySpec === 'AES_128') bytes = 16;
      else throw new KmsError('ValidationException', 'Either NumberOfBytes or KeySpec is required');
      if (!Number.isInteger(bytes) || bytes < 1 || bytes > 1024)
        throw new KmsError('ValidationException', 'NumberOfBytes must be between 1 and 1024');
      const plaintext = randomBytes(bytes);
      return {
        KeyId: key.arn,
        Plaintext: plaintext.toString('base64'),
        CiphertextBlob: seal(key.index, key.material, plaintext, req.EncryptionContext).toString('base64'),
      };
    },
    Encrypt(req) {
      const key = findKey(req.KeyId);
      const plaintext = blob(req.Plaintext, 'plaintext');
      if (plaintext.length > 4096)
        throw new KmsError('ValidationException', 'Plaintext is longer than 4096 bytes');
      return {
        KeyId: key.arn,
        CiphertextBlob: seal(key.index, key.material, plaintext, req.EncryptionContext).toString('base64'),
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },
    Decrypt(req) {
      const { arn, plaintext } = unseal(
        blob(req.CiphertextBlob, 'ciphertextBlob'),
        req.EncryptionContext,
        req.KeyId,
      );
      return {
        KeyId: arn,
        Plaintext: plaintext.toString('base64'),
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },
  };

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    const json = Buffer.from(JSON.stringify(body));
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': json.length,
      'x-amzn-requestid': randomUUID(),
    });
    res.end(json);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/')
        throw new KmsError('UnknownOperationException', `${req.method} ${req.url} is not a KMS operation`);
      if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1'))
        throw new KmsError('SerializationException', 'expected application/x-amz-json-1.1');
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential='))
        throw new KmsError('MissingAuthenticationTokenException', 'Request is missing Authentication Token');
      const target = String(req.headers['x-amz-target'] ?? '');
      const [service, op] = target.split('.');
      const run = op ? operations[op] : undefined;
      if (service !== 'TrentService' || !run)
        throw new KmsError('UnknownOperationException', `unknown operation ${target}`);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        throw new KmsError('SerializationException', 'the body is not JSON');
      }
      calls[op as string] = (calls[op as string] ?? 0) + 1;
      answer(res, 200, run(body as Record<string, unknown>));
    } catch (err) {
      if (err instanceof KmsError) answer(res, 400, { __type: err.type, message: err.message });
      else answer(res, 500, { __type: 'KMSInternalException', message: String(err) });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    keyId,
    createKey,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
