import { OdooError, type OdooErrorEnvelope, OdooTimeoutError, OdooTransportError } from './errors.ts';

/** The services of Odoo's external API. */
export type OdooService = 'common' | 'object' | 'db';

export interface JsonRpcCallOptions {
  /** Time limit of this call in milliseconds. */
  timeoutMs: number;
  /** Aborts the call from outside (shutdown); its reason is thrown as the cause. */
  signal?: AbortSignal | undefined;
}

export interface JsonRpcTransport {
  /** `POST <url>/jsonrpc` with `method: "call"`; answers `result` or throws an Odoo or transport error. */
  call(
    service: OdooService,
    method: string,
    args: readonly unknown[],
    options: JsonRpcCallOptions,
  ): Promise<unknown>;
}

/**
 * The JSON-RPC transport of one Odoo server. Request ids count up per transport, so answers in a
 * capture can be told apart. Neither arguments nor answers are put in error messages: arguments hold
 * passwords (the master password, users' passwords) in clear.
 */
export function createJsonRpcTransport(baseUrl: string): JsonRpcTransport {
  const endpoint = new URL('/jsonrpc', baseUrl).href;
  let nextId = 1;

  return {
    async call(service, method, args, { timeoutMs, signal }) {
      const id = nextId++;
      const label = `${service}.${method}`;
      const timeout = AbortSignal.timeout(timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let body: string;
      let status: number;
      try {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id }),
          signal: combined,
        });
        status = response.status;
        body = await response.text();
      } catch (err) {
        if (timeout.aborted) throw new OdooTimeoutError(label, timeoutMs, { cause: err });
        if (signal?.aborted)
          throw new OdooTransportError('connection', `${label} was aborted`, undefined, {
            cause: signal.reason,
          });
        throw new OdooTransportError(
          'connection',
          `Could not reach Odoo at ${endpoint} for ${label}: ${describe(err)}; check that the server runs and the URL is right`,
          undefined,
          { cause: err },
        );
      }
      // Odoo answers every call, errors included, with 200; anything else is a proxy or a crash.
      if (status !== 200) {
        throw new OdooTransportError(
          'http-status',
          `Odoo answered ${label} with HTTP ${status} instead of 200; a proxy or the server itself failed before Odoo could answer`,
          status,
        );
      }
      let answer: unknown;
      try {
        answer = JSON.parse(body);
      } catch (err) {
        throw new OdooTransportError(
          'not-json',
          `Odoo's answer to ${label} is not JSON (${body.length} bytes); is ${endpoint} an Odoo server?`,
          status,
          { cause: err },
        );
      }
      if (!isObject(answer) || answer.jsonrpc !== '2.0') {
        throw new OdooTransportError(
          'bad-envelope',
          `Odoo's answer to ${label} is not a JSON-RPC 2.0 envelope`,
          status,
        );
      }
      if (isObject(answer.error)) throw new OdooError(label, toEnvelope(answer.error));
      if (!('result' in answer)) {
        throw new OdooTransportError(
          'bad-envelope',
          `Odoo's answer to ${label} has neither result nor error`,
          status,
        );
      }
      return answer.result;
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toEnvelope(error: Record<string, unknown>): OdooErrorEnvelope {
  const data = isObject(error.data) ? error.data : undefined;
  return {
    code: typeof error.code === 'number' ? error.code : 0,
    message: typeof error.message === 'string' ? error.message : 'Odoo Server Error',
    data: data && {
      ...(typeof data.name === 'string' ? { name: data.name } : {}),
      ...(typeof data.message === 'string' ? { message: data.message } : {}),
      ...(Array.isArray(data.arguments) ? { arguments: data.arguments } : {}),
      ...(typeof data.debug === 'string' ? { debug: data.debug } : {}),
    },
  };
}

/** undici hides the socket error (ECONNREFUSED...) in `cause`. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const code = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  return code ? `${err.message} (${code})` : cause ? `${err.message} (${cause.message})` : err.message;
}
