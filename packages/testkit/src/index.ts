export { adminUrl } from './config.ts';
export { freePort, type StartNatsOptions, startNats, type TestNats } from './nats.ts';
export { adminQuery, createTestDatabase, dropByPrefix, uniqueName, urlFor } from './pg.ts';
export { waitFor } from './wait.ts';
