export { freePort, startNats, type TestNats } from './nats.ts';
export { adminQuery, adminUrl, createTestDatabase, dropByPrefix, uniqueName, urlFor } from './pg.ts';
export { waitFor } from './wait.ts';
