import {
  IconApi,
  IconCreditCard,
  IconListCheck,
  IconReceipt2,
  IconServer2,
  IconShieldLock,
  IconUsers,
} from '@tabler/icons-react';
import { lazy, type ReactNode } from 'react';

// Loaded when first opened; the shell's Suspense shows a skeleton meanwhile.
const OperatorsPage = lazy(() => import('./access/operators-page.tsx'));
const RolesPage = lazy(() => import('./access/roles-page.tsx'));
const TokensPage = lazy(() => import('./access/tokens-page.tsx'));
const AuditPage = lazy(() => import('./audit/audit-page.tsx'));
const BillingPage = lazy(() => import('./platform/billing-page.tsx'));
const PlansPage = lazy(() => import('./platform/plans-page.tsx'));
const RuntimesPage = lazy(() => import('./platform/runtimes-page.tsx'));

/**
 * The screens of the platform's administration (operators, roles and tokens, the audit log,
 * runtimes, plans, billing), mounted by the app's router under `/admin/` and listed in its navigation.
 * A screen is offered only to an account holding `permission`.
 */
export interface AdminRoute {
  /** Relative to `/admin/`, e.g. `operators` or `audit`. */
  path: string;
  element: ReactNode;
  nav?: { label: string; icon: ReactNode; permission: string; group: 'Platform' | 'Access' };
}

const icon = { size: 18, 'aria-hidden': true, stroke: 1.6 } as const;

export const adminRoutes: AdminRoute[] = [
  {
    path: 'runtimes',
    element: <RuntimesPage />,
    nav: {
      label: 'Runtimes',
      icon: <IconServer2 {...icon} />,
      permission: 'runtimes:read',
      group: 'Platform',
    },
  },
  {
    path: 'plans',
    element: <PlansPage />,
    nav: {
      label: 'Plans',
      icon: <IconReceipt2 {...icon} />,
      permission: 'plans:read',
      group: 'Platform',
    },
  },
  {
    path: 'audit',
    element: <AuditPage />,
    nav: {
      label: 'Audit log',
      icon: <IconListCheck {...icon} />,
      permission: 'audit:read',
      group: 'Platform',
    },
  },
  {
    path: 'billing',
    element: <BillingPage />,
    nav: {
      label: 'Billing',
      icon: <IconCreditCard {...icon} />,
      permission: 'billing:read',
      group: 'Platform',
    },
  },
  {
    path: 'operators',
    element: <OperatorsPage />,
    nav: { label: 'Operators', icon: <IconUsers {...icon} />, permission: 'operators:read', group: 'Access' },
  },
  {
    // Who may hand out roles wants to read them; a viewer has no Access screens at all.
    path: 'roles',
    element: <RolesPage />,
    nav: {
      label: 'Roles',
      icon: <IconShieldLock {...icon} />,
      permission: 'operators:read',
      group: 'Access',
    },
  },
  {
    path: 'tokens',
    element: <TokensPage />,
    nav: { label: 'API tokens', icon: <IconApi {...icon} />, permission: 'tokens:own', group: 'Access' },
  },
];
