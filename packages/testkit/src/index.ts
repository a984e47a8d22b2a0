export { adminUrl } from './config.ts';
export { freePort, freePorts, type StartNatsOptions, startNats, type TestNats } from './nats.ts';
export {
  adminQuery,
  createServiceDatabase,
  createTenantAdminRole,
  createTestDatabase,
  dropByPrefix,
  dropRole,
  type ServiceDatabase,
  SHARED_GRANTS_LOCK,
  sharedGrantsQuery,
  uniqueName,
  urlFor,
  withUser,
} from './pg.ts';
export { waitFor } from './wait.ts';
