/**
 * The Compose stack (deploy/compose) and the images it builds (deploy/Dockerfile, deploy/odoo):
 * every file it names is in the repository (or is one of the secrets the operator makes, listed in
 * secrets/README.md), every variable it interpolates is in .env.example, each service of this
 * tree runs with only the variables its configSchema reads, on its port, probed and scraped there,
 * and the configurations of NATS and Prometheus are accepted by nats-server and promtool.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { envProblems, listenPort, repoRoot, requireProgram, run, serviceSchemas } from '../support/deploy.ts';

// biome-ignore lint/suspicious/noExplicitAny: the compose file is checked field by field below.
type Obj = any;

const composeDir = join(repoRoot, 'deploy/compose');
const composeText = await readFile(join(composeDir, 'compose.yaml'), 'utf8');
const compose: Obj = parse(composeText, { merge: true });
const schemas = await serviceSchemas();
const secretsReadme = await readFile(join(composeDir, 'secrets/README.md'), 'utf8');

const environmentOf = (svc: Obj): Map<string, string | undefined> =>
  new Map(
    Array.isArray(svc.environment)
      ? svc.environment.map((e: string) => {
          const [k = '', ...v] = e.split('=');
          return [k, v.length ? v.join('=') : undefined];
        })
      : Object.entries(svc.environment ?? {}).map(([k, v]) => [k, v === null ? undefined : String(v)]),
  );

/** The compose services built from `name`'s image: the service itself, and one-shot commands of it. */
const runningImageOf = (name: string) =>
  Object.entries(compose.services as Record<string, Obj>).filter(
    ([, svc]) => svc.build?.args?.SERVICE === name && String(svc.image).startsWith(`ocp-${name}:`),
  );

/** The compose service that runs `name` (its image's own command). */
function composeServiceOf(name: string): [string, Obj] | undefined {
  return runningImageOf(name).find(([, svc]) => svc.command === undefined);
}

/** Host paths a service mounts or builds from, relative to the compose file (short volume syntax). */
function hostPaths(): Array<{ where: string; path: string }> {
  const found: Array<{ where: string; path: string }> = [];
  for (const [name, svc] of Object.entries(compose.services as Record<string, Obj>)) {
    if (svc.build) {
      found.push({ where: `${name} build context`, path: svc.build.context });
      found.push({
        where: `${name} dockerfile`,
        path: join(svc.build.context, svc.build.dockerfile ?? 'Dockerfile'),
      });
    }
    for (const v of svc.volumes ?? []) {
      const source = typeof v === 'string' ? v.split(':')[0] : v.source;
      if (typeof source === 'string' && /^[./]/.test(source))
        found.push({ where: `${name} volume`, path: source });
    }
  }
  for (const [name, s] of Object.entries({ ...(compose.secrets ?? {}), ...(compose.configs ?? {}) }) as Array<
    [string, Obj]
  >)
    if (s.file) found.push({ where: `secret/config ${name}`, path: s.file });
  return found;
}

test('the compose file names only files of the repository, or secrets its README tells the operator to make', () => {
  const missing: string[] = [];
  for (const { where, path } of hostPaths()) {
    const absolute = resolve(composeDir, path);
    const inSecrets = relative(join(composeDir, 'secrets'), absolute);
    if (!inSecrets.startsWith('..')) {
      // Made by the operator: each must be described in secrets/README.md.
      const described = inSecrets.replace(/^nats\/[a-z]+\.nk$/, 'nats/<identity>.nk');
      if (!secretsReadme.includes(`\`${described}\``))
        missing.push(`${where}: secrets/${inSecrets} is not in secrets/README.md`);
      continue;
    }
    const inRepo = relative(repoRoot, absolute);
    if (inRepo.startsWith('..')) missing.push(`${where}: ${path} is outside the repository`);
    // NGINX's configuration comes with the router, which renders the routes it includes.
    else if (!existsSync(absolute) && !(inRepo.startsWith('deploy/nginx') && !schemas.has('router')))
      missing.push(`${where}: ${path} does not exist`);
  }
  assert.deepEqual(missing, []);
});

test('every variable the compose file interpolates is in .env.example', async () => {
  const example = await readFile(join(composeDir, '.env.example'), 'utf8');
  const listed = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  const used = new Set([...composeText.matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]));
  assert.ok(used.size > 10);
  assert.deepEqual(
    [...used].filter((v) => !listed.has(v)),
    [],
  );
});

test('every service of this tree is built from deploy/Dockerfile and given only variables its configSchema reads, and all it requires', () => {
  const problems: string[] = [];
  for (const [name, schema] of schemas) {
    const found = composeServiceOf(name);
    if (!found) {
      problems.push(`no compose service runs ocp-${name} built with SERVICE=${name}`);
      continue;
    }
    const [composeName, svc] = found;
    assert.equal(svc.build.dockerfile, 'deploy/Dockerfile');
    problems.push(...envProblems(schema, environmentOf(svc), `compose ${composeName}`));
    // One-shot commands of the image (setup-bucket) read a part of the same schema.
    for (const [toolName, tool] of runningImageOf(name).filter(([n]) => n !== composeName))
      for (const variable of environmentOf(tool).keys())
        if (!(variable in schema.properties))
          problems.push(`compose ${toolName}: ${variable} is not a property of ${name}'s configSchema`);
  }
  assert.deepEqual(problems, []);
});

test('every service listens on its port, is health-checked on /readyz there, and Prometheus scrapes it', async () => {
  const prometheus: Obj = parse(await readFile(join(composeDir, 'prometheus/prometheus.yml'), 'utf8'));
  const targets = new Set<string>(
    prometheus.scrape_configs.flatMap((job: Obj) => job.static_configs.flatMap((c: Obj) => c.targets)),
  );
  for (const [name, schema] of schemas) {
    const [composeName, svc] = composeServiceOf(name) ?? [];
    assert.ok(svc, `${name} is in the compose file`);
    const env = environmentOf(svc);
    const port = listenPort(schema, env);
    assert.ok(Number.isInteger(port), `${name}'s HTTP_PORT is a number`);
    const check = svc.healthcheck?.test?.join(' ') ?? '';
    assert.match(check, /\/readyz/, `${name} is health-checked on /readyz`);
    assert.match(check, /process\.env\.HTTP_PORT|:\d+\//, `${name}'s health check uses its port`);
    assert.ok(targets.has(`${composeName}:${port}`), `Prometheus scrapes ${composeName}:${port}`);
  }
});

test('every service signs in to NATS with its own seed, handed to it as a secret', () => {
  for (const name of schemas.keys()) {
    const [, svc] = composeServiceOf(name) ?? [];
    const seedFile = environmentOf(svc).get('NATS_NKEY_SEED_FILE');
    if (!seedFile?.startsWith('/run/secrets/')) assert.fail(`${name} reads its seed from a secret`);
    const target = seedFile.slice('/run/secrets/'.length);
    const secret = (svc.secrets ?? []).find(
      (s: Obj) => (typeof s === 'string' ? s : (s.target ?? s.source)) === target,
    );
    const source = typeof secret === 'string' ? secret : secret?.source;
    assert.equal(compose.secrets[source]?.file, `./secrets/nats/${name}.nk`, `${name} is given its own seed`);
  }
});

test("the compose NATS configuration and the Kubernetes one are accepted by nats-server with the platform's authorization block", async (t) => {
  const natsServer = await requireProgram('nats-server', 'nats-server');
  const dir = await mkdtemp(join(tmpdir(), 'ocp-nats-conf-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'auth'));
  // What the operator runs (deploy/README.md): seeds made in a directory, the block printed.
  const block = run(process.execPath, [
    '--import',
    'tsx',
    'packages/cli/scripts/nats-config.ts',
    '--seeds-dir',
    join(dir, 'seeds'),
  ]);
  await writeFile(join(dir, 'auth/authorization.conf'), block);
  for (const name of schemas.keys())
    assert.ok(existsSync(join(dir, 'seeds', `${name}.nk`)), `a seed is made for ${name}`);

  await copyFile(join(composeDir, 'nats/nats.conf'), join(dir, 'compose.conf'));
  run(natsServer, ['-t', '-c', join(dir, 'compose.conf')]);

  const manifest = await readFile(join(repoRoot, 'deploy/k8s/base/nats.yaml'), 'utf8');
  const configMap = parse(manifest.split(/^---$/m)[0] ?? '');
  await writeFile(join(dir, 'k8s.conf'), configMap.data['nats.conf']);
  // server_name is the pod's name, from the environment as in the StatefulSet.
  const check = spawnSync(natsServer, ['-t', '-c', join(dir, 'k8s.conf')], {
    env: { ...process.env, POD_NAME: 'nats-0' },
    encoding: 'utf8',
  });
  assert.equal(check.status, 0, check.stderr);

  await writeFile(join(dir, 'broken.conf'), 'jetstream { store_dir: \n');
  assert.throws(() => run(natsServer, ['-t', '-c', join(dir, 'broken.conf')]), /exited with/);
});

test('the Prometheus configuration is accepted by promtool, loads the alert rules and alerts through Alertmanager to the notifier', async () => {
  const promtool = await requireProgram('promtool', 'prometheus');
  run(promtool, ['check', 'config', '--syntax-only', join(composeDir, 'prometheus/prometheus.yml')]);
  const prometheus: Obj = parse(await readFile(join(composeDir, 'prometheus/prometheus.yml'), 'utf8'));
  const mounts: string[] = compose.services.prometheus.volumes;
  const grafanaMount = mounts.find((m) => m.startsWith('../../grafana:'))?.split(':')[1];
  assert.ok(grafanaMount, "the repository's grafana/ is mounted into Prometheus");
  assert.deepEqual(prometheus.rule_files, [`${grafanaMount}/alerts/*.yml`]);
  assert.deepEqual(prometheus.alerting.alertmanagers[0].static_configs[0].targets, ['alertmanager:9093']);

  const alertmanager: Obj = parse(await readFile(join(composeDir, 'alertmanager/alertmanager.yml'), 'utf8'));
  const hook = alertmanager.receivers
    .find((r: Obj) => r.name === alertmanager.route.receiver)
    .webhook_configs.find(() => true);
  const notifier = compose.services.notifier;
  assert.equal(hook.url, `http://notifier:${environmentOf(notifier).get('HTTP_PORT')}/alertmanager`);
  assert.ok(environmentOf(notifier).has('NOTIFY_ALERTMANAGER_TOKEN'), 'the notifier checks the token');
  const tokenFile: string = hook.http_config.authorization.credentials_file;
  assert.ok(
    compose.services.alertmanager.secrets.includes(tokenFile.replace('/run/secrets/', '')),
    'Alertmanager reads the token from a compose secret',
  );
});

test("Grafana provisions Prometheus and the repository's dashboards", async () => {
  const grafana = compose.services.grafana;
  const mounts: string[] = grafana.volumes;
  const dashboardsRoot = mounts.find((m) => m.startsWith('../../grafana:'))?.split(':')[1];
  const provisioning = mounts.find((m) => m.endsWith(':/etc/grafana/provisioning:ro'))?.split(':')[0];
  assert.ok(dashboardsRoot && provisioning);
  const providers: Obj = parse(await readFile(join(composeDir, provisioning, 'dashboards/ocp.yaml'), 'utf8'));
  assert.equal(providers.providers[0].options.path, `${dashboardsRoot}/dashboards`);
  const sources: Obj = parse(
    await readFile(join(composeDir, provisioning, 'datasources/prometheus.yaml'), 'utf8'),
  );
  assert.equal(sources.datasources[0].url, 'http://prometheus:9090');
});

test('NGINX, the router and the exporter share what they must: the routes, the pid file and the process namespace', () => {
  const { nginx, router } = compose.services;
  const exporter = compose.services['nginx-exporter'];
  const command: string[] = nginx.command;
  const conf = command[command.indexOf('-c') + 1] ?? '';
  assert.ok(
    nginx.volumes.includes(`../nginx/nginx.conf:${conf}:ro`),
    'deploy/nginx/nginx.conf is the configuration NGINX runs',
  );
  assert.equal(router.pid, 'service:nginx', 'the router sees the NGINX master to signal it');
  assert.equal(router.user, nginx.user ?? '101:101', 'the router runs as the NGINX user (101)');
  const env = environmentOf(router);
  // nginx.conf includes ocp/*.conf beside itself: that is where the router must write.
  assert.equal(env.get('ROUTER_OUTPUT_DIR'), `${dirname(conf)}/ocp`);
  assert.match(
    command.join(' '),
    new RegExp(`pid ${env.get('ROUTER_NGINX_PID_FILE')};`),
    'NGINX writes its pid where the router reads it',
  );
  /** The volume a service mounts at `path` or above it (the deepest such mount). */
  const mountOf = (svc: Obj, path: string | undefined) =>
    (svc.volumes as string[])
      .map((v) => v.split(':'))
      .filter(
        ([, target]) => path !== undefined && target && (path === target || path.startsWith(`${target}/`)),
      )
      .sort((a, b) => (b[1]?.length ?? 0) - (a[1]?.length ?? 0))[0]?.[0];
  for (const variable of ['ROUTER_OUTPUT_DIR', 'ROUTER_NGINX_PID_FILE']) {
    const shared = mountOf(router, env.get(variable));
    assert.ok(shared && !shared.startsWith('.'), `${variable} is on a volume of the router`);
    assert.equal(mountOf(nginx, env.get(variable)), shared, `NGINX mounts the same volume for ${variable}`);
  }
  assert.ok(
    nginx.volumes.includes(`./nginx/status.conf:${env.get('ROUTER_OUTPUT_DIR')}/status.conf:ro`),
    "the exporter's stub_status server is included beside the routes",
  );
  assert.equal(
    exporter.network_mode,
    'service:nginx',
    "the exporter reaches NGINX's stub_status on its loopback",
  );
});

test("NGINX accepts its configuration with the exporter's stub_status server, the same in Compose and Kubernetes", async (t) => {
  const nginxProgram = await requireProgram('nginx', 'nginx');
  const status = await readFile(join(composeDir, 'nginx/status.conf'), 'utf8');
  const k8sStatus = await readFile(join(repoRoot, 'deploy/k8s/base/nginx-status.conf'), 'utf8');
  const directives = (text: string) => text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  assert.deepEqual(directives(k8sStatus), directives(status));
  const listen = /listen (127\.0\.0\.1:\d+);/.exec(status)?.[1];
  const scrape = (compose.services['nginx-exporter'].command as string[]).find((a) =>
    a.startsWith('--nginx.scrape-uri='),
  );
  assert.equal(scrape, `--nginx.scrape-uri=http://${listen}/stub_status`);

  const dir = await mkdtemp(join(tmpdir(), 'ocp-nginx-conf-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'ocp'));
  await writeFile(join(dir, 'ocp/status.conf'), status);
  // The router's nginx.conf when this tree has it, else the smallest one that includes ocp/*.conf.
  const routerConf = join(repoRoot, 'deploy/nginx/nginx.conf');
  await writeFile(
    join(dir, 'nginx.conf'),
    existsSync(routerConf)
      ? await readFile(routerConf, 'utf8')
      : 'events {}\nhttp {\n    include ocp/*.conf;\n}\n',
  );
  const test = (file: string) =>
    spawnSync(nginxProgram, ['-t', '-q', '-p', dir, '-c', file, '-g', `pid ${join(dir, 'nginx.pid')};`], {
      encoding: 'utf8',
    });
  const accepted = test(join(dir, 'nginx.conf'));
  assert.equal(accepted.status, 0, accepted.stderr);
  await writeFile(
    join(dir, 'ocp/broken.conf'),
    'server { listen 127.0.0.1:8082; location / { stub_statu; } }\n',
  );
  assert.notEqual(test(join(dir, 'nginx.conf')).status, 0, 'a broken include is refused');
});

test('the images: one Dockerfile takes any service of the tree, the backup one with the PostgreSQL client programs; Odoo 18 with dbfilter_from_header', async () => {
  const dockerfile = await readFile(join(repoRoot, 'deploy/Dockerfile'), 'utf8');
  assert.match(
    dockerfile,
    /test -f "\/tmp\/services\/\$SERVICE\/package\.json"/,
    'SERVICE is checked against services/',
  );
  assert.match(
    dockerfile,
    /if \[ "\$SERVICE" = backup \]; then[\s\S]*apt-get install[\s\S]*"\$POSTGRES_CLIENT"/,
  );
  assert.match(dockerfile, /ARG POSTGRES_CLIENT=postgresql-client\n/);

  const odooDockerfile = await readFile(join(repoRoot, 'deploy/odoo/Dockerfile'), 'utf8');
  assert.match(odooDockerfile, /^ARG ODOO_IMAGE=odoo:18\.0$/m);
  assert.match(odooDockerfile, /github\.com\/OCA\/server-tools\/archive\/\$\{OCA_SERVER_TOOLS_REF\}/);
  assert.match(odooDockerfile, /\[0-9a-f\]\{40\}/, 'the OCA revision is pinned by commit');
  const conf = Object.fromEntries(
    (await readFile(join(repoRoot, 'deploy/odoo/odoo.conf'), 'utf8'))
      .split('\n')
      .filter((l) => /^[a-z_]+\s*=/.test(l))
      .map((l) => l.split('=').map((s) => s.trim())),
  );
  assert.equal(conf.proxy_mode, 'True');
  assert.ok(conf.server_wide_modules.split(',').includes('dbfilter_from_header'));
  assert.equal(conf.gevent_port, '8072');
  assert.ok(Number(conf.workers) > 0, 'prefork workers (and so a gevent process)');
  assert.ok(!conf.dbfilter, 'no dbfilter: NGINX pins the database');
  // The tenant service registers runtimes (db.drop) and builds templates (db.create_database)
  // through Odoo's db service, which Odoo refuses altogether when list_db is False.
  assert.equal(conf.list_db, 'True');
  assert.equal(compose.services.odoo.build.dockerfile, 'deploy/odoo/Dockerfile');
});
