import {
  ActionIcon,
  AppShell,
  Avatar,
  Burger,
  Center,
  Group,
  Loader,
  Menu,
  NavLink,
  ScrollArea,
  Text,
  TextInput,
  Tooltip,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconActivity,
  IconBuildingStore,
  IconLayoutDashboard,
  IconLogout,
  IconMoon,
  IconSearch,
  IconSun,
  IconUser,
} from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, Suspense, useCallback, useEffect, useState } from 'react';
import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { api, isProblem } from '../api.ts';
import { PageSkeleton } from '../components/page-skeleton.tsx';
import { LiveEventsProvider, useLiveState } from '../live-events.tsx';
import { type AdminRoute, adminRoutes } from '../pages/admin-routes.tsx';
import { useCan, useMe } from '../session.tsx';
import { TrackedOperationsProvider } from '../tracked-operations.tsx';

/** Sends the user to the login page, to come back here after logging in again. */
function useToLogin(): () => void {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  return useCallback(() => {
    const next = `${location.pathname}${location.search}`;
    qc.clear();
    void navigate(`/login?expired=1&next=${encodeURIComponent(next)}`, { replace: true });
  }, [qc, navigate, location]);
}

/** Sends the user to the login page when any request finds the session gone. */
function useLoginOnUnauthenticated(toLogin: () => void) {
  const qc = useQueryClient();
  useEffect(() => {
    const check = (error: unknown) => {
      // Only a session that was there can have ended: a first visit goes to the login page
      // through the shell's own check of the account, without "your session ended".
      if (isProblem(error, 401) && qc.getQueryData(['me']) !== undefined) toLogin();
    };
    const q = qc.getQueryCache().subscribe((e) => {
      if (e.type === 'updated' && e.action.type === 'error') check(e.action.error);
    });
    const m = qc.getMutationCache().subscribe((e) => {
      if (e.type === 'updated' && e.action.type === 'error') check(e.action.error);
    });
    return () => {
      q();
      m();
    };
  }, [qc, toLogin]);
}

function HeaderSearch() {
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const text = q.trim();
    void navigate(text ? `/tenants?q=${encodeURIComponent(text)}` : '/tenants');
  };
  return (
    <search>
      <form onSubmit={submit}>
        <TextInput
          aria-label="Search tenants"
          placeholder="Search tenants by name, slug, domain…"
          leftSection={<IconSearch size={16} aria-hidden />}
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          w={{ base: 180, sm: 340 }}
        />
      </form>
    </search>
  );
}

function LiveIndicator() {
  const live = useLiveState();
  const text =
    live === 'live'
      ? 'Live updates on'
      : live === 'connecting'
        ? 'Connecting to live updates'
        : 'Live updates off: refreshing periodically';
  return (
    <Tooltip label={text}>
      <Group gap={6} role="status">
        <IconActivity
          size={18}
          aria-hidden
          color={live === 'live' ? 'var(--mantine-color-green-8)' : 'var(--mantine-color-gray-6)'}
        />
        <Text size="xs" c="dimmed">
          {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting' : 'Polling'}
          <VisuallyHidden>: {text}</VisuallyHidden>
        </Text>
      </Group>
    </Tooltip>
  );
}

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const label = scheme === 'dark' ? 'Use the light theme' : 'Use the dark theme';
  return (
    <Tooltip label={label}>
      <ActionIcon
        variant="default"
        size="lg"
        aria-label={label}
        onClick={() => setColorScheme(scheme === 'dark' ? 'light' : 'dark')}
      >
        {scheme === 'dark' ? <IconSun size={18} aria-hidden /> : <IconMoon size={18} aria-hidden />}
      </ActionIcon>
    </Tooltip>
  );
}

function AccountMenu() {
  const me = useMe().data;
  const qc = useQueryClient();
  const navigate = useNavigate();
  const who = me?.operator.email ?? me?.operator.name ?? 'account';
  const logout = async () => {
    await api.POST('/api/v1/auth/logout').catch(() => undefined);
    qc.clear();
    await navigate('/login', { replace: true });
  };
  return (
    <Menu position="bottom-end" withArrow>
      <Menu.Target>
        {/* Its name starts with the text it shows (WCAG 2.5.3, label in name): the email, where the
            screen is wide enough to show it. The avatar is an icon, so it adds no visible text. */}
        <UnstyledButton data-testid="account-menu" aria-label={`${who}, account menu`}>
          <Group gap="xs">
            <Avatar size={32} color="odoo" radius="xl" aria-hidden>
              <IconUser size={18} aria-hidden />
            </Avatar>
            <Text size="sm" visibleFrom="sm">
              {who}
            </Text>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          Signed in as {who} · role {me?.operator.role}
        </Menu.Label>
        <Menu.Item leftSection={<IconLogout size={16} aria-hidden />} onClick={() => void logout()}>
          Log out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function NavItem({
  to,
  label,
  icon,
  exact,
}: {
  to: string;
  label: string;
  icon: ReactNode;
  exact?: boolean;
}) {
  const { pathname } = useLocation();
  const active = exact ? pathname === to : pathname === to || pathname.startsWith(`${to}/`);
  return (
    <NavLink
      component={Link}
      to={to}
      label={label}
      leftSection={icon}
      active={active}
      aria-current={active ? 'page' : undefined}
    />
  );
}

function Navigation() {
  const can = useCan();
  const groups = new Map<string, AdminRoute[]>();
  for (const r of adminRoutes) {
    if (!r.nav || !can(r.nav.permission)) continue;
    groups.set(r.nav.group, [...(groups.get(r.nav.group) ?? []), r]);
  }
  return (
    <>
      {can('tenants:read') && (
        <NavItem to="/" exact label="Overview" icon={<IconLayoutDashboard size={18} aria-hidden />} />
      )}
      {can('tenants:read') && (
        <NavItem to="/tenants" label="Tenants" icon={<IconBuildingStore size={18} aria-hidden />} />
      )}
      {can('operations:read') && (
        <NavItem to="/operations" label="Operations" icon={<IconActivity size={18} aria-hidden />} />
      )}
      {[...groups].map(([group, routes]) => (
        <div key={group}>
          <Text size="xs" fw={700} c="dimmed" tt="uppercase" mt="md" mb={4} px="sm" component="h2">
            {group}
          </Text>
          {routes.map((r) =>
            r.nav ? <NavItem key={r.path} to={`/${r.path}`} label={r.nav.label} icon={r.nav.icon} /> : null,
          )}
        </div>
      ))}
    </>
  );
}

/** The frame of every page once logged in: header, navigation, main content. */
export function AppLayout() {
  const me = useMe();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure();
  const toLogin = useToLogin();
  useLoginOnUnauthenticated(toLogin);
  useEffect(() => close(), [location.pathname, close]);

  if (me.isPending)
    return (
      <Center mih="100vh">
        <Loader role="status" aria-label="Loading" />
      </Center>
    );
  if (isProblem(me.error, 401))
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;

  return (
    <LiveEventsProvider onSessionEnded={toLogin}>
      <TrackedOperationsProvider>
        <a href="#main" className="ocp-skip">
          Skip to content
        </a>
        <AppShell
          header={{ height: 60 }}
          navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
          padding="lg"
        >
          <AppShell.Header>
            <Group h="100%" px="md" justify="space-between" wrap="nowrap">
              <Group gap="sm" wrap="nowrap">
                <Burger
                  opened={opened}
                  onClick={toggle}
                  hiddenFrom="sm"
                  size="sm"
                  aria-label="Toggle navigation"
                />
                <Text
                  component={Link}
                  to="/"
                  fw={700}
                  size="lg"
                  c="var(--mantine-color-anchor)"
                  style={{ textDecoration: 'none' }}
                >
                  Odoo control plane
                </Text>
              </Group>
              <HeaderSearch />
              <Group gap="md" wrap="nowrap">
                <LiveIndicator />
                <ColorSchemeToggle />
                <AccountMenu />
              </Group>
            </Group>
          </AppShell.Header>
          <AppShell.Navbar p="xs" aria-label="Main navigation">
            <ScrollArea>
              <Navigation />
            </ScrollArea>
          </AppShell.Navbar>
          <AppShell.Main id="main" className="ocp-main">
            {/* Shown on a first load; later navigations are transitions, which keep the last page
                on screen until the next one's code is there. */}
            <Suspense fallback={<PageSkeleton />}>
              <Outlet />
            </Suspense>
          </AppShell.Main>
        </AppShell>
      </TrackedOperationsProvider>
    </LiveEventsProvider>
  );
}
