import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * The security headers of every answer (`@fastify/helmet`). The API answers JSON and the only
 * page is the OpenAPI UI at /docs, whose HTML loads its scripts and styles from /docs/static and
 * has no inline script; Swagger UI sets inline styles and shows data: images, and fetches the
 * document from /docs/json. So one policy serves both: scripts only from here, nothing may frame
 * any answer, no plugins, forms and `<base>` only to here.
 */
export function securityHeaders(publicUrl: string): FastifyHelmetOptions {
  const https = publicUrl.startsWith('https:');
  return {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        // Over plain HTTP (a local install) upgrading would break every asset of the page.
        ...(https ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Only over HTTPS: a browser ignores it over HTTP, and it would say what is not so.
    strictTransportSecurity: https ? { maxAge: 31536000, includeSubDomains: true } : false,
  };
}
