/** The PostgreSQL server the tests use: `TEST_DATABASE_URL`, else the machine's own on 127.0.0.1:5432. */
export function adminUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
}
