import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { registerAudit } from './commands/audit.ts';
import { registerAuth } from './commands/auth.ts';
import { registerBackups } from './commands/backups.ts';
import { registerCompletion } from './commands/completion.ts';
import { registerModules } from './commands/modules.ts';
import { registerOperations } from './commands/operations.ts';
import { registerPlans } from './commands/plans.ts';
import { registerRuntimes } from './commands/runtimes.ts';
import { registerTenants } from './commands/tenants.ts';
import { DEFAULT_URL, type Io } from './context.ts';
import { exitCodesHelp } from './exit-codes.ts';

function version(): string {
  // src/ and dist/ are both one level below the package.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const environmentHelp = `Environment:
  OCP_URL             the API, when --url is not given (default: the stored login's, else ${DEFAULT_URL})
  OCP_TOKEN           a token, when --token is not given (default: the stored login's)
  OCPCTL_CONFIG_DIR   where the login is kept (default: the user's config directory, e.g. ~/.config/ocpctl)
  NO_COLOR            no colours`;

/**
 * The whole command tree of ocpctl, writing to `io`. Commander's errors are thrown (`exitOverride`)
 * rather than exiting, so that the caller maps every error to an exit code in one place.
 */
export function buildProgram(io: Io): Command {
  const program = new Command('ocpctl')
    .description("the operators' command line of the Odoo control plane")
    .version(version(), '-V, --version')
    .option('--url <url>', `the API's address (default: OCP_URL, the stored login's, ${DEFAULT_URL})`)
    .option('--token <token>', 'an API or session token (default: OCP_TOKEN, the stored login)')
    .addOption(
      new Option(
        '--output <format>',
        'table for people, json for scripts (default: table on a terminal, json otherwise)',
      ).choices(['table', 'json']),
    )
    .option('--no-color', 'no colours in tables')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // The caller reports errors (as a line, or as a problem object with --output json).
      outputError: () => {},
    })
    .showSuggestionAfterError(true)
    .addHelpText('after', `\n${exitCodesHelp()}\n\n${environmentHelp}\n`);
  registerAuth(program, io);
  registerTenants(program, io);
  registerRuntimes(program, io);
  registerPlans(program, io);
  registerModules(program, io);
  registerBackups(program, io);
  registerOperations(program, io);
  registerAudit(program, io);
  registerCompletion(program, io);
  return program;
}
