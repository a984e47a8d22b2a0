import { createBrowserRouter } from 'react-router';
import { AppLayout } from './layout/app-layout.tsx';
import { adminRoutes } from './pages/admin-routes.tsx';
import { LoginPage } from './pages/login.tsx';
import { NotFoundPage } from './pages/not-found.tsx';
import { OperationPage } from './pages/operations/operation-page.tsx';
import { OperationsPage } from './pages/operations/operations-page.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { TenantPage } from './pages/tenants/tenant-page.tsx';
import { TenantsPage } from './pages/tenants/tenants-page.tsx';

/** The app's pages under `/admin/`; the administration screens come from `adminRoutes`. */
export const router = createBrowserRouter(
  [
    { path: '/login', element: <LoginPage /> },
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
