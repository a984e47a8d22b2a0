/**
 * The Kubernetes manifests (deploy/k8s) as kubectl's kustomize renders them, base and each cloud's
 * overlay: every object valid against its Kubernetes, KEDA or prometheus-operator schema, and true
 * to the services of this tree (images, ports, probes, each variable a property of the service's
 * configSchema), to the contracts catalog (KEDA's stream and durable consumer) and to the security
 * the platform promises (non-root, read-only, no capabilities, network policies).
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { durables, streams } from '@ocp/contracts';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parse, parseAllDocuments } from 'yaml';
import {
  envProblems,
  listenPort,
  repoRoot,
  requireProgram,
  run,
  type ServiceSchema,
  serviceSchemas,
} from '../support/deploy.ts';

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field below.
type Obj = any;

/** The model class of each kind the manifests use: an object of any other kind fails the test. */
const MODELS: Record<string, new (data: Obj) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'storage.k8s.io/v1/StorageClass': StorageClass,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

const OVERLAYS = {
  eks: { provisioner: 'efs.csi.aws.com', annotation: 'eks.amazonaws.com/role-arn' },
  aks: { provisioner: 'file.csi.azure.com', annotation: 'azure.workload.identity/client-id' },
  gke: { provisioner: 'filestore.csi.storage.gke.io', annotation: 'iam.gke.io/gcp-service-account' },
  // OKE's workload identity is granted by an IAM policy naming the service account: no annotation.
  oke: { provisioner: 'fss.csi.oraclecloud.com', annotation: undefined },
} as const;

/**
 * The Kustomization fields kustomize v2.0.3 knows (kubectl 1.20, Debian 12's kubernetes-client),
 * all of which v5 still reads: whichever kubectl renders the trees must give the same objects.
 */
const KUSTOMIZE_V2_FIELDS = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'namePrefix',
  'nameSuffix',
  'commonLabels',
  'commonAnnotations',
  'bases',
  'resources',
  'patchesStrategicMerge',
  'patchesJson6902',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'images',
  'vars',
  'configurations',
  'crds',
]);
const GENERATOR_V2_FIELDS = new Set(['name', 'namespace', 'behavior', 'env', 'files', 'literals', 'type']);

const kubectl = await requireProgram('kubectl', 'kubernetes-client');
const schemas = await serviceSchemas();

function render(dir: string): Obj[] {
  const out = run(kubectl, ['kustomize', dir]);
  return parseAllDocuments(out)
    .map((d) => d.toJS())
    .filter((o) => o !== null);
}

const rendered = new Map<string, Obj[]>([['base', render('deploy/k8s/base')]]);
for (const overlay of Object.keys(OVERLAYS)) rendered.set(overlay, render(`deploy/k8s/overlays/${overlay}`));
const base = rendered.get('base') ?? [];

const ofKind = (objs: Obj[], kind: string): Obj[] => objs.filter((o) => o.kind === kind);
const workloads = (objs: Obj[]) => [...ofKind(objs, 'Deployment'), ...ofKind(objs, 'StatefulSet')];
const named = (objs: Obj[], kind: string, name: string): Obj | undefined =>
  objs.find((o) => o.kind === kind && o.metadata?.name === name);

/** `ghcr.io/acme/ocp-tenant:1.2` → `ocp-tenant`. */
const imageName = (image: string) => (image.split('/').pop() ?? '').replace(/[:@].*$/, '');

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** Each container of this tree's services: the workload it is in and the service it runs. */
function serviceContainers(objs: Obj[]): Array<{ workload: Obj; container: Obj; schema: ServiceSchema }> {
  const found = [];
  for (const workload of workloads(objs))
    for (const container of workload.spec.template.spec.containers ?? []) {
      const name = imageName(container.image).replace(/^ocp-/, '');
      const schema = schemas.get(name);
      if (imageName(container.image).startsWith('ocp-') && schema)
        found.push({ workload, container, schema });
    }
  return found;
}

function envOf(container: Obj): Map<string, string | undefined> {
  return new Map((container.env ?? []).map((e: Obj) => [e.name as string, e.value as string | undefined]));
}

function containerPort(container: Obj, port: string | number): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p: Obj) => p.name === port)?.containerPort;
}

test('kubectl kustomize renders the base and every overlay, and every object is valid against its schema', () => {
  for (const [name, objs] of rendered) {
    assert.ok(objs.length > 0, `${name} renders objects`);
    for (const obj of objs) {
      const key = `${obj.apiVersion}/${obj.kind}`;
      const Model = MODELS[key];
      assert.ok(
        Model,
        `${name}: ${key} ${obj.metadata?.name} is a kind this test does not know how to validate`,
      );
      assert.doesNotThrow(
        () => new Model(obj).validate(),
        `${name}: ${key} ${obj.metadata?.name} is valid against its schema`,
      );
    }
  }
});

test('the Kustomizations use only what kustomize v2.0.3 (kubectl 1.20) knows as well as v5', () => {
  for (const tree of ['base', ...Object.keys(OVERLAYS).map((o) => `overlays/${o}`)]) {
    const dir = join(repoRoot, 'deploy/k8s', tree);
    const k: Obj = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'));
    for (const field of Object.keys(k)) assert.ok(KUSTOMIZE_V2_FIELDS.has(field), `${tree}: ${field}`);
    for (const gen of [...(k.configMapGenerator ?? []), ...(k.secretGenerator ?? [])]) {
      for (const field of Object.keys(gen))
        assert.ok(GENERATOR_V2_FIELDS.has(field), `${tree}: generator ${gen.name} field ${field}`);
      assert.ok(
        gen.env === undefined || typeof gen.env === 'string',
        `${tree}: ${gen.name}'s env is one file`,
      );
    }
    const isDir = (path: string) => statSync(join(dir, path)).isDirectory();
    for (const path of k.resources ?? []) assert.ok(!isDir(path), `${tree}: resource ${path} is a file`);
    for (const path of k.bases ?? []) assert.ok(isDir(path), `${tree}: base ${path} is a directory`);
    for (const patch of k.patchesStrategicMerge ?? [])
      assert.ok(typeof patch === 'string' && !isDir(patch), `${tree}: a strategic merge patch is a file`);
    for (const patch of k.patchesJson6902 ?? [])
      assert.ok(
        patch.target && typeof patch.path === 'string',
        `${tree}: a JSON patch has a target and a file`,
      );
  }
});

test('every object of the base is labelled as part of the platform, and no selector is', () => {
  for (const obj of base)
    assert.equal(
      obj.metadata.labels?.['app.kubernetes.io/part-of'],
      'ocp',
      `${obj.kind} ${obj.metadata.name} is labelled app.kubernetes.io/part-of`,
    );
  // Only the objects' own labels: a selector or pod template given it would change what it selects.
  const beyondMetadata = JSON.stringify(base.map(({ metadata, ...rest }) => rest));
  assert.doesNotMatch(beyondMetadata, /app\.kubernetes\.io\/part-of/);
});

test('the schemas refuse a malformed object: a container port given as a string', () => {
  const deployment = structuredClone(named(base, 'Deployment', 'gateway'));
  deployment.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
  assert.throws(() => new Deployment(deployment).validate(), /containerPort/);
});

test('every service of this tree runs in a workload of the base, from its own image', () => {
  const running = new Set(serviceContainers(base).map((c) => c.schema.name));
  for (const name of schemas.keys()) assert.ok(running.has(name), `a container runs the image ocp-${name}`);
});

test("each service's container is given only variables its configSchema reads, and all it requires", () => {
  for (const [overlay, objs] of rendered) {
    const problems = serviceContainers(objs).flatMap(({ workload, container, schema }) =>
      envProblems(schema, envOf(container), `${overlay} ${workload.metadata.name}/${container.name}`),
    );
    assert.deepEqual(problems, []);
  }
});

test("each service's container listens on the port it declares, binds every address, and is probed on /readyz and /healthz there", () => {
  for (const { workload, container, schema } of serviceContainers(base)) {
    const where = `${workload.metadata.name}/${container.name}`;
    const env = envOf(container);
    const port = listenPort(schema, env);
    assert.equal(env.get('HTTP_HOST'), '0.0.0.0', `${where} binds every address`);
    assert.ok(
      (container.ports ?? []).some((p: Obj) => p.containerPort === port),
      `${where} declares its listening port ${port}`,
    );
    for (const [probe, path] of [
      ['readinessProbe', '/readyz'],
      ['livenessProbe', '/healthz'],
    ] as const) {
      const get = container[probe]?.httpGet;
      assert.ok(get, `${where} has an HTTP ${probe}`);
      assert.equal(get.path, path, `${where} ${probe} path`);
      assert.equal(containerPort(container, get.port), port, `${where} ${probe} hits port ${port}`);
    }
  }
});

test('each service signs in to NATS with its own seed, and every stream has 3 replicas on the cluster', () => {
  for (const { workload, container, schema } of serviceContainers(base)) {
    const where = `${workload.metadata.name}/${container.name}`;
    const env = envOf(container);
    assert.equal(env.get('NATS_STREAM_REPLICAS'), '3', `${where} NATS_STREAM_REPLICAS`);
    const seedFile = env.get('NATS_NKEY_SEED_FILE');
    assert.ok(seedFile, `${where} has NATS_NKEY_SEED_FILE`);
    const mount = (container.volumeMounts ?? []).find((m: Obj) => seedFile.startsWith(`${m.mountPath}/`));
    assert.ok(mount, `${where}: a volume is mounted where ${seedFile} is`);
    const volume = workload.spec.template.spec.volumes.find((v: Obj) => v.name === mount.name);
    const relative = seedFile.slice(mount.mountPath.length + 1);
    const item = volume?.secret?.items?.find((i: Obj) => i.path === relative);
    assert.equal(item?.key, `${schema.name}.nk`, `${where} mounts its own seed, ${schema.name}.nk`);
  }
  const nats = named(base, 'StatefulSet', 'nats');
  assert.equal(nats?.spec.replicas, 3, 'NATS runs 3 nodes');
  assert.ok(nats.spec.volumeClaimTemplates?.length, 'NATS stores JetStream on a volume of each node');
  const config = named(
    base,
    'ConfigMap',
    nats.spec.template.spec.volumes.find((v: Obj) => v.configMap).configMap.name,
  );
  const conf: string = Object.values(config.data as Record<string, string>)[0] ?? '';
  for (const i of [0, 1, 2]) assert.match(conf, new RegExp(`nats://nats-${i}\\.nats-headless:6222`));
  assert.match(conf, /jetstream\s*\{/);
  assert.match(conf, /include \.\/auth\/authorization\.conf/);
});

test('every service is scraped by a ServiceMonitor on its /metrics port', () => {
  for (const { workload, container, schema } of serviceContainers(base)) {
    const podLabels = workload.spec.template.metadata.labels;
    const port = listenPort(schema, envOf(container));
    const scraped = ofKind(base, 'ServiceMonitor').some((sm) =>
      ofKind(base, 'Service').some(
        (svc) =>
          matches(sm.spec.selector.matchLabels, svc.metadata.labels) &&
          matches(svc.spec.selector, podLabels) &&
          sm.spec.endpoints.some((ep: Obj) => {
            const servicePort = svc.spec.ports.find((p: Obj) => p.name === ep.port);
            return (
              ep.path === '/metrics' &&
              servicePort !== undefined &&
              containerPort(container, servicePort.targetPort ?? servicePort.port) === port
            );
          }),
      ),
    );
    assert.ok(scraped, `${schema.name}'s /metrics on ${port} is scraped`);
  }
});

test('every container runs as non-root with a read-only root, no capabilities and the runtime seccomp profile', () => {
  for (const [overlay, objs] of rendered)
    for (const workload of workloads(objs)) {
      const pod = workload.spec.template.spec;
      for (const c of pod.containers) {
        const where = `${overlay} ${workload.metadata.name}/${c.name}`;
        const sc = c.securityContext ?? {};
        assert.equal(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, true, `${where} runAsNonRoot`);
        assert.equal(sc.readOnlyRootFilesystem, true, `${where} readOnlyRootFilesystem`);
        assert.equal(sc.allowPrivilegeEscalation, false, `${where} allowPrivilegeEscalation`);
        assert.deepEqual(sc.capabilities?.drop, ['ALL'], `${where} drops all capabilities`);
        assert.equal(
          (sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type,
          'RuntimeDefault',
          `${where} seccomp`,
        );
        assert.ok(
          c.resources?.requests?.memory && c.resources?.limits?.memory,
          `${where} has memory requests and limits`,
        );
      }
    }
});

test('every workload has a PodDisruptionBudget', () => {
  for (const workload of workloads(base)) {
    const labels = workload.spec.template.metadata.labels;
    assert.ok(
      ofKind(base, 'PodDisruptionBudget').some((pdb) => matches(pdb.spec.selector.matchLabels, labels)),
      `${workload.metadata.name} has a PodDisruptionBudget`,
    );
  }
});

test('network policies deny everything by default and open the paths the platform needs', () => {
  const policies = ofKind(base, 'NetworkPolicy');
  const denyAll = policies.find(
    (p) =>
      Object.keys(p.spec.podSelector).length === 0 &&
      p.spec.policyTypes.includes('Ingress') &&
      p.spec.policyTypes.includes('Egress') &&
      !p.spec.ingress &&
      !p.spec.egress,
  );
  assert.ok(denyAll, 'a policy selects every pod and allows nothing');

  const podLabels = (name: string) =>
    workloads(base).find((w) => w.metadata.name === name)?.spec.template.metadata.labels;
  const selects = (p: Obj, labels: Record<string, string>) => {
    const sel = p.spec.podSelector;
    if (sel.matchLabels && !matches(sel.matchLabels, labels)) return false;
    for (const e of sel.matchExpressions ?? [])
      if (e.operator === 'In' && !e.values.includes(labels[e.key])) return false;
    return Object.keys(sel).length > 0;
  };
  /** Whether some policy lets `from` pods reach `to` pods on `port`, checked at both ends. */
  const allowed = (from: string, to: string, port: number) => {
    const fromLabels = podLabels(from);
    const toLabels = podLabels(to);
    assert.ok(fromLabels && toLabels, `${from} and ${to} are workloads`);
    const portOk = (rule: Obj) => !rule.ports || rule.ports.some((p: Obj) => p.port === port);
    const peerOk = (peers: Obj[] | undefined, labels: Record<string, string>) =>
      !peers ||
      peers.some(
        (peer) =>
          peer.podSelector && !peer.namespaceSelector && matches(peer.podSelector.matchLabels, labels),
      );
    const ingress = policies.some(
      (p) =>
        selects(p, toLabels) &&
        (p.spec.ingress ?? []).some((r: Obj) => portOk(r) && peerOk(r.from, fromLabels)),
    );
    const egress = policies.some(
      (p) =>
        selects(p, fromLabels) && (p.spec.egress ?? []).some((r: Obj) => portOk(r) && peerOk(r.to, toLabels)),
    );
    return ingress && egress;
  };
  for (const { workload } of serviceContainers(base))
    assert.ok(allowed(workload.metadata.name, 'nats', 4222), `${workload.metadata.name} reaches NATS`);
  assert.ok(allowed('gateway', 'backup', 8084), 'the gateway reaches the backup service');
  assert.ok(allowed('nginx', 'gateway', 8080), 'NGINX reaches the gateway');
  assert.ok(allowed('nginx', 'odoo-http', 8069), 'NGINX reaches Odoo');
  assert.ok(allowed('nginx', 'odoo-websocket', 8072), "NGINX reaches Odoo's websockets");
  assert.ok(allowed('tenant', 'odoo-http', 8069), "the tenant service reaches Odoo's JSON-RPC");
  assert.ok(!allowed('billing', 'backup', 8084), 'the billing service does not reach the backup service');
  assert.ok(!allowed('gateway', 'odoo-http', 8069), 'the gateway does not reach Odoo');
});

test("KEDA scales the backup workers on the lag of the catalog's backup work consumer", () => {
  const scaled = ofKind(base, 'ScaledObject');
  const triggers = scaled.flatMap((so) =>
    so.spec.triggers.filter((t: Obj) => t.type === 'nats-jetstream').map((t: Obj) => ({ so, t })),
  );
  assert.ok(triggers.length > 0, 'a nats-jetstream trigger');
  for (const { so, t } of triggers) {
    const durable = Object.values(durables).find((d) => d.durable === t.metadata.consumer);
    assert.ok(durable, `${t.metadata.consumer} is a durable consumer of the catalog`);
    assert.equal(
      t.metadata.stream,
      durable.stream.name,
      `${t.metadata.consumer} is on ${durable.stream.name}`,
    );
    assert.ok(Object.values(streams).some((s) => s.name === t.metadata.stream));
    assert.equal(so.spec.scaleTargetRef.name, durable.service, `it scales the ${durable.service} service`);
    assert.equal(t.metadata.account, '$G', 'the global account, where the NKEY users are');
    const [host, port] = String(t.metadata.natsServerMonitoringEndpoint).split(':');
    const [serviceName, namespace] = (host ?? '').split('.');
    const headless = named(base, 'Service', serviceName ?? '');
    assert.equal(
      headless?.spec.clusterIP,
      'None',
      'the monitoring endpoint is the headless Service (KEDA asks the leader by server name)',
    );
    assert.equal(namespace, headless.metadata.namespace, 'in the namespace the manifests are rendered into');
    assert.ok(
      headless.spec.ports.some((p: Obj) => p.port === Number(port)),
      'on its monitoring port',
    );
  }
});

test('KEDA scales the Odoo websocket nodes on a metric an exporter that is deployed and scraped really exports', () => {
  const so = named(base, 'ScaledObject', 'odoo-websocket');
  assert.equal(so?.spec.scaleTargetRef.name, 'odoo-websocket');
  const trigger = so.spec.triggers.find((t: Obj) => t.type === 'prometheus');
  assert.match(trigger.metadata.query, /\bnginx_connections_active\b/);
  const service = /service="([^"]+)"/.exec(trigger.metadata.query)?.[1];
  const nginx = named(base, 'Deployment', 'nginx');
  const exporter = nginx.spec.template.spec.containers.find((c: Obj) =>
    /nginx-prometheus-exporter/.test(c.image),
  );
  assert.ok(exporter, 'the nginx-prometheus-exporter runs beside NGINX');
  assert.match(exporter.args.join(' '), /--nginx\.scrape-uri=http:\/\/127\.0\.0\.1:\d+\/stub_status/);
  const svc = named(base, 'Service', service ?? '');
  assert.ok(
    svc && matches(svc.spec.selector, nginx.spec.template.metadata.labels),
    `the query's service ${service} selects NGINX`,
  );
  const sm = ofKind(base, 'ServiceMonitor').find((m) =>
    matches(m.spec.selector.matchLabels, svc.metadata.labels),
  );
  const exporterPort = exporter.ports[0];
  assert.ok(
    sm?.spec.endpoints.some((ep: Obj) => {
      const p = svc.spec.ports.find((sp: Obj) => sp.name === ep.port);
      return p && (p.targetPort === exporterPort.name || p.targetPort === exporterPort.containerPort);
    }),
    "a ServiceMonitor scrapes the exporter's port",
  );
  assert.equal(nginx.spec.template.spec.shareProcessNamespace, true, 'the router sidecar may signal NGINX');
  // The stub_status server is included beside the router's routes (nginx.conf includes ocp/*.conf).
  const [nginxContainer, router] = ['nginx', 'router'].map((n) =>
    nginx.spec.template.spec.containers.find((c: Obj) => c.name === n),
  );
  const outputDir = envOf(router).get('ROUTER_OUTPUT_DIR');
  const statusMount = nginxContainer.volumeMounts.find(
    (m: Obj) => m.mountPath === `${outputDir}/status.conf`,
  );
  const statusVolume = nginx.spec.template.spec.volumes.find((v: Obj) => v.name === statusMount?.name);
  const statusConf: string =
    named(base, 'ConfigMap', statusVolume?.configMap?.name)?.data?.[statusMount.subPath] ?? '';
  const listen = /listen (127\.0\.0\.1:\d+);/.exec(statusConf)?.[1];
  assert.ok(
    listen && exporter.args.includes(`--nginx.scrape-uri=http://${listen}/stub_status`),
    'the exporter reads that server',
  );
  for (const c of [nginxContainer, router])
    assert.ok(
      c.volumeMounts.some((m: Obj) => m.mountPath === outputDir && m.name === 'routes'),
      `${c.name} mounts the routes at ${outputDir}`,
    );
});

test("each overlay puts Odoo's filestore on its cloud's shared file storage and gives the backup service its workload identity", () => {
  for (const [overlay, expected] of Object.entries(OVERLAYS)) {
    const objs = rendered.get(overlay) ?? [];
    const pvc = named(objs, 'PersistentVolumeClaim', 'odoo-filestore');
    assert.deepEqual(pvc?.spec.accessModes, ['ReadWriteMany'], `${overlay}: the filestore is ReadWriteMany`);
    const sc = named(objs, 'StorageClass', pvc.spec.storageClassName);
    assert.equal(sc?.provisioner, expected.provisioner, `${overlay}: the filestore's storage class`);
    const sa = named(objs, 'ServiceAccount', 'backup');
    if (expected.annotation)
      assert.ok(sa.metadata.annotations?.[expected.annotation], `${overlay}: ${expected.annotation}`);
    const mounted = workloads(objs).filter((w) =>
      (w.spec.template.spec.volumes ?? []).some(
        (v: Obj) => v.persistentVolumeClaim?.claimName === 'odoo-filestore',
      ),
    );
    assert.deepEqual(
      mounted.map((w) => w.metadata.name).sort(),
      ['backup', 'odoo-http', 'odoo-websocket', 'quota', 'tenant'],
      `${overlay}: Odoo, the tenant and the backup services share the filestore, which the quota service measures`,
    );
    const quota = named(objs, 'Deployment', 'quota');
    const quotaVolume = quota.spec.template.spec.volumes.find(
      (v: Obj) => v.persistentVolumeClaim?.claimName === 'odoo-filestore',
    );
    const quotaMount = quota.spec.template.spec.containers[0].volumeMounts.find(
      (m: Obj) => m.name === quotaVolume.name,
    );
    assert.equal(quotaMount?.readOnly, true, `${overlay}: the quota service only reads the filestore`);
  }
  const aks = named(rendered.get('aks') ?? [], 'Deployment', 'backup');
  assert.equal(aks.spec.template.metadata.labels['azure.workload.identity/use'], 'true');
});
