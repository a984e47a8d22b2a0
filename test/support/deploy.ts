/**
 * What the deployment files are checked against: the services of the tree the tests run in (each
 * folder of services/ with a config), each one's configuration schema as the service itself
 * parses it, and the few standard variables a service may be given beside its schema.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findOnPath, repoRoot, searchPathOf } from '@ocp/cli';

export { repoRoot };

/**
 * Variables a service may be given that its schema does not list: read by Node itself
 * (`NODE_*`) or by the OpenTelemetry SDK (`OTEL_*`, its standard names).
 */
export const STANDARD_ENV = new Set([
  'NODE_ENV',
  'NODE_OPTIONS',
  'NODE_EXTRA_CA_CERTS',
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_SDK_DISABLED',
]);

interface SchemaProperty {
  type: string;
  default?: unknown;
}

export interface ServiceSchema {
  name: string;
  properties: Record<string, SchemaProperty>;
  required: readonly string[];
  /** `HTTP_PORT`'s default: the port the service listens on when not told. */
  defaultPort: number;
}

/** The services of this tree: every folder of services/ with a `src/config.ts`, sorted. */
export function servicesInTree(): string[] {
  return readdirSync(join(repoRoot, 'services'))
    .filter((name) => existsSync(join(repoRoot, 'services', name, 'src', 'config.ts')))
    .sort();
}

/** The `configSchema` a service exports from its config module (`@ocp/<service>/config`). */
export async function serviceSchema(name: string): Promise<ServiceSchema> {
  const url = pathToFileURL(join(repoRoot, 'services', name, 'src', 'config.ts')).href;
  const mod = (await import(url)) as {
    configSchema?: { properties: Record<string, SchemaProperty>; required?: readonly string[] };
  };
  if (!mod.configSchema) throw new Error(`services/${name}/src/config.ts exports no configSchema`);
  const port = mod.configSchema.properties.HTTP_PORT?.default;
  if (typeof port !== 'number') throw new Error(`services/${name}: HTTP_PORT has no numeric default`);
  return {
    name,
    properties: mod.configSchema.properties,
    required: mod.configSchema.required ?? [],
    defaultPort: port,
  };
}

/** Every service's schema, by name. */
export async function serviceSchemas(): Promise<Map<string, ServiceSchema>> {
  const schemas = new Map<string, ServiceSchema>();
  for (const name of servicesInTree()) schemas.set(name, await serviceSchema(name));
  return schemas;
}

/**
 * What is wrong with the environment `env` given to `schema`'s service in `where`: a variable
 * the service does not read, a required one missing, a port that is not a port.
 */
export function envProblems(
  schema: ServiceSchema,
  env: Map<string, string | undefined>,
  where: string,
): string[] {
  const problems: string[] = [];
  for (const name of env.keys())
    if (!(name in schema.properties) && !STANDARD_ENV.has(name))
      problems.push(`${where}: ${name} is given to ${schema.name}, whose configSchema has no such property`);
  for (const name of schema.required)
    if (!env.has(name)) problems.push(`${where}: ${schema.name} requires ${name}, which is not given`);
  return problems;
}

/** The port the service listens on with `env`: HTTP_PORT when given, else its default. */
export function listenPort(schema: ServiceSchema, env: Map<string, string | undefined>): number {
  const given = env.get('HTTP_PORT');
  return given === undefined ? schema.defaultPort : Number(given);
}

/** The absolute path of a program, in the PATH or the sbin directories; the test fails without it. */
export async function requireProgram(program: string, debianPackage: string): Promise<string> {
  const found = await findOnPath(program, searchPathOf(process.env.PATH));
  if (!found)
    throw new Error(
      `${program} is not installed; these checks need it. Install Debian's ${debianPackage} package (\`./run test\` does it when it may).`,
    );
  return found;
}

/** Runs `program` with `args`, failing with its output when it exits other than 0. */
export function run(program: string, args: string[], cwd = repoRoot): string {
  const result = spawnSync(program, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0)
    throw new Error(
      `${program} ${args.join(' ')} exited with ${result.status}:\n${result.stderr}${result.stdout}`,
    );
  return result.stdout;
}
