import { unwrap } from '@ocp/api-client';
import type { Command } from 'commander';
import { action } from '../action.ts';
import type { Io } from '../context.ts';
import { UsageError } from '../errors.ts';
import { promptLine, promptSecret, readStdin } from '../prompt.ts';

interface LoginOptions {
  email?: string;
  passwordStdin?: boolean;
  tokenStdin?: boolean;
}

/** `login`, `logout` and `whoami`. */
export function registerAuth(program: Command, io: Io): void {
  program
    .command('login')
    .description(
      'log in with an email and password (asked without echo on a terminal), or store an API token; ' +
        'keeps the API address and the token in the config directory (--url chooses the API)',
    )
    .option('--email <email>', 'the account to log in as (asked on a terminal when not given)')
    .option('--password-stdin', 'read the password from stdin')
    .option('--token-stdin', 'read an API token from stdin and store it instead of logging in')
    .action(
      action<LoginOptions>(io, async (ctx, _args, opts) => {
        // --url, else OCP_URL, else the address of the previous login, else the default.
        const url = await ctx.url();
        if (opts.tokenStdin && (opts.passwordStdin || opts.email))
          throw new UsageError('--token-stdin stores a token: it takes neither --email nor --password-stdin');
        if (opts.tokenStdin) {
          const token = (await readStdin(ctx.io)).trim();
          if (!token) throw new UsageError('--token-stdin: stdin was empty');
          // A token is checked by asking who it is; one without the `self` scope is known valid by its 403.
          const answer = await ctx.apiAt(url, token).GET('/api/v1/me');
          const me = answer.response.status === 403 ? undefined : await unwrap(Promise.resolve(answer));
          const who = me ? (me.operator.email ?? me.operator.name ?? me.operator.id) : undefined;
          await ctx.store.write({ url, token, kind: 'token', ...(who ? { who } : {}) });
          ctx.out.json({ url, operator: me?.operator ?? null, kind: 'token', file: ctx.store.file });
          ctx.out.say(
            `Stored the API token${me ? ` of ${who} (${me.operator.role})` : ' (it may not read /me: no self scope)'} for ${url} in ${ctx.store.file}`,
          );
          return;
        }
        let email = opts.email;
        if (!email) {
          if (!ctx.interactive) throw new UsageError('login needs --email when not on a terminal');
          email = await promptLine(ctx.io, 'Email: ');
        }
        let password: string;
        if (opts.passwordStdin) password = await readStdin(ctx.io);
        else if (ctx.interactive) password = await promptSecret(ctx.io, 'Password: ');
        else throw new UsageError('login needs --password-stdin when not on a terminal');
        if (!email || !password) throw new UsageError('login needs an email and a password');
        const session = await unwrap(
          ctx.apiAt(url).POST('/api/v1/auth/login', { body: { email, password } }),
        );
        await ctx.store.write({ url, token: session.token, kind: 'session', who: email });
        ctx.out.json({ url, email, expiresAt: session.expiresAt, kind: 'session', file: ctx.store.file });
        ctx.out.say(`Logged in to ${url} as ${email} until ${session.expiresAt}`);
      }),
    );

  program
    .command('logout')
    .description(
      'end the stored session (an API token is only forgotten, not revoked) and delete the login file',
    )
    .action(
      action(io, async (ctx) => {
        const login = await ctx.stored();
        if (!login) {
          ctx.out.json({ loggedOut: false });
          ctx.out.say('Not logged in.');
          return;
        }
        let revoked = false;
        if (login.kind === 'session') {
          // A session that expired or was revoked already is as good as ended.
          const res = await ctx.apiAt(login.url, login.token).POST('/api/v1/auth/logout');
          revoked = res.response.ok;
          if (!res.response.ok && res.response.status !== 401)
            ctx.out.note(`warning: the API did not end the session (HTTP ${res.response.status})`);
        }
        await ctx.store.remove();
        ctx.out.json({ loggedOut: true, url: login.url, sessionEnded: revoked });
        ctx.out.say(
          login.kind === 'token'
            ? `Forgot the API token for ${login.url} (revoke it with DELETE /api/v1/tokens/{id} if it should stop working)`
            : `Logged out of ${login.url}`,
        );
      }),
    );

  program
    .command('whoami')
    .description('the account, role, permissions and tenant scope of the token in use')
    .action(
      action(io, async (ctx) => {
        const me = await unwrap((await ctx.api()).GET('/api/v1/me'));
        const o = me.operator;
        ctx.out.record({ url: await ctx.url(), ...me }, [
          ['url', await ctx.url()],
          ['account', o.email ?? o.name ?? o.id],
          ['id', o.id],
          ['role', o.role],
          ['tenants', me.tenantScope === null ? 'all' : me.tenantScope],
          ['via', me.authenticatedBy],
          ['permissions', me.permissions.join(' ')],
        ]);
      }),
    );
}
