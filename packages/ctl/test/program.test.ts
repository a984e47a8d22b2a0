import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { ApiProblemError } from '@ocp/api-client';
import { CommanderError } from 'commander';
import { commandTree } from '../src/completion.ts';
import { ApiUnreachableError, exitCodeOf, OperationFailedError, problemOf } from '../src/errors.ts';
import { ExitCode } from '../src/exit-codes.ts';
import { buildProgram } from '../src/program.ts';

function program() {
  let out = '';
  let err = '';
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const p = buildProgram({
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: { OCPCTL_CONFIG_DIR: '/nonexistent/ocpctl-test' },
    signal: new AbortController().signal,
  });
  return { p, out: () => out, err: () => err };
}

async function exitOf(args: string[]): Promise<number> {
  try {
    await program().p.parseAsync(args, { from: 'user' });
    return 0;
  } catch (e) {
    return exitCodeOf(e);
  }
}

const problem = (status: number) =>
  new ApiProblemError(status, { type: 'x', title: 't', status, detail: 'd', code: 'C' });

describe('the command tree', () => {
  test('bad flags and arguments are usage errors (exit 2)', async () => {
    assert.equal(await exitOf(['tenants', 'list', '--limit', '0']), ExitCode.usage);
    assert.equal(await exitOf(['tenants', 'list', '--state', 'asleep']), ExitCode.usage);
    assert.equal(await exitOf(['tenants', 'create', '--slug', 'x']), ExitCode.usage);
    assert.equal(await exitOf(['backups', 'download', 'only-a-tenant']), ExitCode.usage);
    assert.equal(await exitOf(['audit', 'export', '--from', 'yesterday-ish']), ExitCode.usage);
    assert.equal(await exitOf(['nonsense']), ExitCode.usage);
    assert.equal(await exitOf(['completion', 'powershell']), ExitCode.usage);
    assert.equal(await exitOf(['--help']), ExitCode.ok);
  });

  test('the help lists every exit code', async () => {
    const run = program();
    await assert.rejects(run.p.parseAsync(['--help'], { from: 'user' }), CommanderError);
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7, 8, 130])
      assert.match(run.out(), new RegExp(`^\\s+${code}  `, 'm'));
  });

  test('the completion tree holds every command with its flags and choices', () => {
    const tree = commandTree(program().p);
    const paths = tree.map((c) => c.path);
    for (const path of [
      'tenants list',
      'tenants delete',
      'modules install',
      'backups download',
      'operations watch',
      'audit export',
      'completion',
    ])
      assert.ok(paths.includes(path), path);
    const list = tree.find((c) => c.path === 'tenants list')!;
    const state = list.options.find((o) => o.flags.includes('--state'))!;
    assert.ok(state.takesValue);
    assert.ok(state.choices?.includes('suspended'));
    const root = tree.find((c) => c.path === '')!;
    assert.ok(root.options.some((o) => o.flags.includes('--output') && o.choices?.includes('json')));
  });

  test('completion scripts for bash, zsh and fish name the subcommands', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const run = program();
      await run.p.parseAsync(['completion', shell], { from: 'user' });
      for (const word of ['tenants', 'download', 'slug-prefix'])
        assert.ok(run.out().includes(word), `${shell}: ${word}`);
    }
  });
});

describe('exit codes of errors', () => {
  test('API problems by status', () => {
    assert.equal(exitCodeOf(problem(401)), ExitCode.notLoggedIn);
    assert.equal(exitCodeOf(problem(403)), ExitCode.forbidden);
    assert.equal(exitCodeOf(problem(404)), ExitCode.notFound);
    assert.equal(exitCodeOf(problem(409)), ExitCode.refused);
    assert.equal(exitCodeOf(problem(422)), ExitCode.refused);
    assert.equal(exitCodeOf(problem(503)), ExitCode.unavailable);
    assert.equal(exitCodeOf(new ApiUnreachableError('http://x', new Error('boom'))), ExitCode.unavailable);
    assert.equal(
      exitCodeOf(new OperationFailedError({ id: 'o', kind: 'k', error: 'e' })),
      ExitCode.operationFailed,
    );
    assert.equal(exitCodeOf(new TypeError('bug')), ExitCode.unexpected);
  });

  test('the problem reported with --output json is the API one, with the exit code', () => {
    assert.deepEqual(problemOf(problem(409)), {
      type: 'x',
      title: 't',
      status: 409,
      detail: 'd',
      code: 'C',
      exitCode: ExitCode.refused,
    });
    assert.equal(
      problemOf(new OperationFailedError({ id: 'o', kind: 'k', error: 'e' })).code,
      'CLI_OPERATION_FAILED',
    );
  });
});
