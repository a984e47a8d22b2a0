export { adminUrl } from './config.ts';
export { freePort, startNats, type TestNats } from './nats.ts';
export { adminQuery, createTestDatabase, dropByPrefix, uniqueName, urlFor } from './pg.ts';
export { waitFor } from './wait.ts';
