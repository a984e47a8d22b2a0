import { lazy, type ReactNode, Suspense } from 'react';
import { createBrowserRouter } from 'react-router';
import { PageSkeleton } from './components/page-skeleton.tsx';
import { AppLayout } from './layout/app-layout.tsx';
import { adminRoutes } from './pages/admin-routes.tsx';
import { NotFoundPage } from './pages/not-found.tsx';

// Each page's code (and what only it uses, like the charts) loads when the page is first opened.
const LoginPage = lazy(() => import('./pages/login.tsx').then((m) => ({ default: m.LoginPage })));
const OverviewPage = lazy(() => import('./pages/overview.tsx').then((m) => ({ default: m.OverviewPage })));
const TenantsPage = lazy(() =>
  import('./pages/tenants/tenants-page.tsx').then((m) => ({ default: m.TenantsPage })),
);
const TenantPage = lazy(() =>
  import('./pages/tenants/tenant-page.tsx').then((m) => ({ default: m.TenantPage })),
);
const OperationsPage = lazy(() =>
  import('./pages/operations/operations-page.tsx').then((m) => ({ default: m.OperationsPage })),
);
const OperationPage = lazy(() =>
  import('./pages/operations/operation-page.tsx').then((m) => ({ default: m.OperationPage })),
);

/** The login page has no shell around it: it waits for its code on its own. */
const alone = (page: ReactNode) => <Suspense fallback={<PageSkeleton />}>{page}</Suspense>;

/** The app's pages under `/admin/`; the administration screens come from `adminRoutes`. */
export const router = createBrowserRouter(
  [
    { path: '/login', element: alone(<LoginPage />) },
    {
      path: '/',
      element: <AppLayout />,
      children: [
        { index: true, element: <OverviewPage /> },
        { path: 'tenants', element: <TenantsPage /> },
        { path: 'tenants/:id', element: <TenantPage /> },
        { path: 'operations', element: <OperationsPage /> },
        { path: 'operations/:id', element: <OperationPage /> },
        ...adminRoutes.map((r) => ({ path: r.path, element: r.element })),
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ],
  { basename: '/admin' },
);
