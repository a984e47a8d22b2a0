import type { ReactNode } from 'react';

/**
 * The screens of the platform's administration (operators, roles and tokens, the audit log,
 * runtimes, billing), mounted by the app's router under `/admin/` and listed in its navigation.
 * A screen is offered only to an account holding `permission`.
 */
export interface AdminRoute {
  /** Relative to `/admin/`, e.g. `operators` or `audit`. */
  path: string;
  element: ReactNode;
  nav?: { label: string; icon: ReactNode; permission: string; group: 'Platform' | 'Access' };
}

export const adminRoutes: AdminRoute[] = [];
