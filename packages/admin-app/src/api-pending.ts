import { api, type Schemas, unwrap } from './api.ts';

/**
 * Routes that land in the gateway while this app is written (the operations list, tenant stats):
 * called through the same client, typed by hand until the generated schema carries them.
 */
const untyped = api as unknown as {
  GET(
    path: string,
    init: { params: { query: Record<string, unknown> } },
  ): Promise<{ data?: unknown; error?: unknown; response: Response }>;
};

export const getPending = <T>(path: string, query: Record<string, unknown> = {}): Promise<T> =>
  unwrap(untyped.GET(path, { params: { query } })) as Promise<T>;

export interface OperationPage {
  items: Schemas['Operation'][];
  nextCursor: string | null;
}

export interface TenantStats {
  byState: Record<string, number>;
  total: number;
}
