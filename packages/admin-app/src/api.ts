import {
  type ApiClient,
  ApiProblemError,
  createApiClient,
  type Problem,
  type Schemas,
  unwrap,
} from '@ocp/api-client';
import { QueryClient } from '@tanstack/react-query';

export type { Problem, Schemas };
export { ApiProblemError, unwrap };

/** The CSRF token the login set as a readable cookie; the gateway wants it back on cookie writes. */
function csrfToken(): string | undefined {
  const match = /(?:^|;\s*)ocp_csrf=([^;]+)/.exec(document.cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

/** The admin API, same origin, authenticated by the session cookie. */
export const api: ApiClient = createApiClient({ baseUrl: '', csrfToken });

/** Whether an error is the API's refusal with this status. */
export const isProblem = (e: unknown, status?: number): e is ApiProblemError =>
  e instanceof ApiProblemError && (status === undefined || e.status === status);

/** One cache for the whole app: data stays fresh briefly, a 4xx is never retried. */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      retry: (count, error) => !(error instanceof ApiProblemError && error.status < 500) && count < 2,
    },
    mutations: { retry: false },
  },
});
