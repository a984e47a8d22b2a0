/**
 * The admin API's typed client, shared by the web app and the CLI: openapi-fetch over the types
 * that openapi-typescript generated from the gateway's OpenAPI document (`generated/schema.ts`).
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './generated/schema.ts';

export { type LiveEventMap, type LiveEventName, liveEventNames } from './events.ts';
export {
  backupKinds,
  backupStates,
  operationKinds,
  operationStates,
  runtimeStates,
  suspensionReasons,
  tenantListSorts,
  tenantStates,
} from './generated/enums.ts';
export type { components, operations, paths };
export type Schemas = components['schemas'];

/** An RFC 9457 problem as the gateway answers it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  /** The request field the problem is about, where there is one (`body.slug`). */
  field?: string;
  permission?: string;
  [key: string]: unknown;
}

/** A refusal by the API, carrying its problem details. */
export class ApiProblemError extends Error {
  override name = 'ApiProblemError';
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail || problem.title || `HTTP ${status}`);
  }
}

export interface ApiClientOptions {
  /** Where the gateway is, e.g. `http://127.0.0.1:8080` (without `/api/v1`); `''` in a browser page. */
  baseUrl: string;
  /** A session or API token sent as a Bearer token. Without one, the browser's cookie is used. */
  token?: string;
  /** The CSRF token sent on writes made with the session cookie. */
  csrfToken?: () => string | undefined;
  fetch?: typeof globalThis.fetch;
}

export type ApiClient = Client<paths>;

/** The problem an answer carries, or one made from its status when it carries none. */
export function asProblem(status: number, body: unknown): Problem {
  if (body && typeof body === 'object' && 'title' in body) return body as Problem;
  return { type: 'about:blank', title: `HTTP ${status}`, status, detail: `the API answered ${status}` };
}

/** A client of the admin API. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    credentials: options.token ? 'omit' : 'same-origin',
  });
  const auth: Middleware = {
    onRequest({ request }) {
      if (options.token) request.headers.set('authorization', `Bearer ${options.token}`);
      const csrf = options.csrfToken?.();
      if (csrf && request.method !== 'GET' && request.method !== 'HEAD')
        request.headers.set('x-csrf-token', csrf);
      return request;
    },
  };
  client.use(auth);
  return client;
}

/**
 * The data of an openapi-fetch result, or the API's problem thrown as an `ApiProblemError`:
 * `const tenant = await unwrap(api.GET('/api/v1/tenants/{id}', { params: { path: { id } } }))`.
 */
export async function unwrap<T>(
  result: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await result;
  if (!response.ok) throw new ApiProblemError(response.status, asProblem(response.status, error));
  return data as T;
}
