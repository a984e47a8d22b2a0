import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';

/** Hashed file names change with their content: a browser may keep them for a year unasked. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The operators' web app at `/admin/`: files under `/admin/assets/` (hashed by Vite) are cached for
 * good; every other path under `/admin/` answers the page itself, never cached, so that a link to
 * a screen of the app (`/admin/tenants/…`) opens it and a new build is seen at the next load. An
 * asset that does not exist is a 404, not the page: a stale page asking for an old file learns so.
 * Without a build, `/admin/` says how to make one.
 */
export const adminAppPlugin = fp(
  async (app: FastifyInstance, opts: { dir: string }) => {
    const index = join(opts.dir, 'index.html');
    const built = existsSync(index);
    let page: Buffer | undefined;
    const sendPage = async (reply: FastifyReply) => {
      if (!built)
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(
            'The admin web app is not built: run `pnpm build` (or `pnpm --filter @ocp/admin-app build`).\n',
          );
      page ??= await readFile(index);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
    };

    if (built)
      await app.register(fastifyStatic, {
        root: join(opts.dir, 'assets'),
        prefix: '/admin/assets/',
        decorateReply: false,
        index: false,
        wildcard: true,
        cacheControl: false,
        setHeaders: (reply) => reply.header('cache-control', IMMUTABLE),
      });
    else app.get('/admin/assets/*', async (_req, reply) => reply.code(404).send());

    app.get('/admin', async (_req, reply) => reply.redirect('/admin/', 301));
    app.get('/admin/', async (_req, reply) => sendPage(reply));
    app.get('/admin/*', async (req, reply) => {
      // A path that names a file (`/admin/favicon.svg`) is one of the build's top-level files.
      const rest = (req.params as { '*': string })['*'];
      if (/^[\w.-]+\.\w+$/.test(rest) && rest !== 'index.html' && existsSync(join(opts.dir, rest)))
        return reply
          .type(rest.endsWith('.svg') ? 'image/svg+xml' : 'application/octet-stream')
          .header('cache-control', 'public, max-age=3600')
          .send(await readFile(join(opts.dir, rest)));
      return sendPage(reply);
    });
  },
  { name: 'admin-app' },
);
