/**
 * The Terraform of the backup bucket (deploy/terraform/<cloud>), read with HCL's own parser
 * (@cdktf/hcl2json; no terraform binary or provider download needed): it parses, pins its
 * providers, and on AWS the bucket refuses plain HTTP and uploads not encrypted with KMS, keeps
 * versions, encrypts by default with a rotated customer key, and expires backups as the backup
 * service's own retention would, a margin later. The service account it trusts is the one the
 * Kubernetes manifests give the backup service.
 */

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { bucketLifecycle } from '../../services/backup/src/domain/lifecycle.ts';
import { parseRetention } from '../../services/backup/src/domain/retention.ts';
import { repoRoot, serviceSchema } from '../support/deploy.ts';

// Loaded untyped: the package's declarations pull in the DOM library, whose `fetch` and `Headers`
// types would then replace Node's for every test file of this project.
const { parse } = createRequire(import.meta.url)('@cdktf/hcl2json') as {
  parse(fileName: string, content: string): Promise<Record<string, unknown>>;
};

// biome-ignore lint/suspicious/noExplicitAny: HCL as JSON, checked field by field below.
type Hcl = any;

const CLOUDS = ['aws', 'azure', 'gcp', 'oci'] as const;

/** Every .tf file of a cloud's folder, parsed and merged by top-level block type. */
async function load(cloud: string): Promise<Hcl> {
  const dir = join(repoRoot, 'deploy/terraform', cloud);
  const merged: Hcl = {};
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.tf')).sort()) {
    const parsed: Hcl = await parse(file, await readFile(join(dir, file), 'utf8'));
    for (const [block, body] of Object.entries(parsed)) {
      // terraform, provider: lists of blocks; variable, output: by name; resource, data: by type, then name.
      if (Array.isArray(body)) merged[block] = [...(merged[block] ?? []), ...body];
      else if (block === 'resource' || block === 'data') {
        merged[block] ??= {};
        for (const [type, byName] of Object.entries(body as Hcl))
          merged[block][type] = { ...merged[block][type], ...(byName as Hcl) };
      } else merged[block] = { ...merged[block], ...(body as Hcl) };
    }
  }
  return merged;
}

const config = new Map<string, Hcl>();
for (const cloud of CLOUDS) config.set(cloud, await load(cloud));
const aws = config.get('aws');

/** A Terraform interpolation as hcl2json writes it: `${expression}`. */
const tf = (expression: string) => `\${${expression}}`;

/** The one block `type.name` (resources, data sources and variables are lists of one). */
const one = (group: Hcl, type: string, name?: string) => {
  const byName = group?.[type];
  const entry = name === undefined ? byName : byName?.[name];
  assert.ok(Array.isArray(entry) && entry.length === 1, `${type}${name ? `.${name}` : ''} is declared once`);
  return entry[0];
};

/** What the backup service's defaults make its bucket rule: the longest retention plus its margin. */
async function expectedExpiryDays(): Promise<number> {
  const schema = await serviceSchema('backup');
  const retention = parseRetention(String(schema.properties.BACKUP_RETENTION?.default));
  assert.deepEqual(retention.problems, []);
  const finalKeep = Number(schema.properties.BACKUP_FINAL_KEEP_DAYS?.default);
  const [rule] = bucketLifecycle(retention.byPlan, finalKeep).rules;
  assert.ok(rule);
  return rule.expireDays;
}

test("every cloud's Terraform parses and pins its providers to one version", () => {
  for (const [cloud, hcl] of config) {
    const providers = (hcl.terraform as Hcl[])[0].required_providers[0];
    assert.ok(Object.keys(providers).length > 0, `${cloud} declares its providers`);
    for (const [name, p] of Object.entries(providers as Record<string, { version: string }>))
      assert.match(p.version, /^\d+\.\d+\.\d+$/, `${cloud}: provider ${name} is pinned to one version`);
    assert.ok(hcl.resource && Object.keys(hcl.resource).length > 0, `${cloud} declares resources`);
  }
});

test('the AWS bucket policy denies every request over plain HTTP and every upload not encrypted with KMS', () => {
  const policyResource = one(aws.resource, 'aws_s3_bucket_policy', 'backups');
  assert.equal(policyResource.policy, tf('data.aws_iam_policy_document.bucket.json'));
  assert.equal(policyResource.bucket, tf('aws_s3_bucket.backups.id'));
  const statements: Hcl[] = one(aws.data, 'aws_iam_policy_document', 'bucket').statement;
  const denies = (action: string, test: string, variable: string, values: string[]) =>
    statements.some(
      (s) =>
        s.effect === 'Deny' &&
        s.actions.includes(action) &&
        s.principals?.[0]?.identifiers?.includes('*') &&
        s.resources.includes(`${tf('aws_s3_bucket.backups.arn')}/*`) &&
        s.condition?.some(
          (c: Hcl) =>
            c.test === test && c.variable === variable && JSON.stringify(c.values) === JSON.stringify(values),
        ),
    );
  assert.ok(denies('s3:*', 'Bool', 'aws:SecureTransport', ['false']), 'plain HTTP is denied');
  assert.ok(
    statements
      .find((s) => s.sid === 'DenyInsecureTransport')
      ?.resources.includes(tf('aws_s3_bucket.backups.arn')),
    'plain HTTP is denied on the bucket itself too',
  );
  assert.ok(
    denies('s3:PutObject', 'StringNotEquals', 's3:x-amz-server-side-encryption', ['aws:kms']),
    'an upload that does not ask for aws:kms is denied',
  );
  assert.ok(
    !statements.some((s) => s.effect === 'Allow' && s.principals?.[0]?.identifiers?.includes('*')),
    'no public grant',
  );
});

test('the AWS bucket keeps versions, encrypts with a customer KMS key that rotates, and blocks public access', () => {
  const versioning = one(aws.resource, 'aws_s3_bucket_versioning', 'backups');
  assert.equal(versioning.versioning_configuration[0].status, 'Enabled');
  const sse = one(aws.resource, 'aws_s3_bucket_server_side_encryption_configuration', 'backups').rule[0];
  assert.equal(sse.apply_server_side_encryption_by_default[0].sse_algorithm, 'aws:kms');
  assert.equal(
    sse.apply_server_side_encryption_by_default[0].kms_master_key_id,
    tf('aws_kms_key.backups.arn'),
  );
  const key = one(aws.resource, 'aws_kms_key', 'backups');
  assert.equal(key.enable_key_rotation, true);
  const block = one(aws.resource, 'aws_s3_bucket_public_access_block', 'backups');
  for (const k of [
    'block_public_acls',
    'block_public_policy',
    'ignore_public_acls',
    'restrict_public_buckets',
  ])
    assert.equal(block[k], true, k);
});

test("every cloud expires backups under tenants/ a margin after the backup service's longest retention, and old versions", async () => {
  const expected = await expectedExpiryDays();
  for (const [cloud, hcl] of config)
    assert.equal(
      one(hcl, 'variable', 'backup_expire_days').default,
      expected,
      `${cloud}: backup_expire_days`,
    );

  const rules: Hcl[] = one(aws.resource, 'aws_s3_bucket_lifecycle_configuration', 'backups').rule;
  const expire = rules.find((r) => r.filter?.[0]?.prefix === 'tenants/');
  assert.equal(expire?.status, 'Enabled');
  assert.equal(expire.expiration[0].days, tf('var.backup_expire_days'));
  assert.ok(expire.noncurrent_version_expiration[0].noncurrent_days, 'noncurrent versions expire');
  assert.ok(
    rules.some(
      (r) => r.status === 'Enabled' && r.abort_incomplete_multipart_upload?.[0]?.days_after_initiation === 1,
    ),
    'incomplete multipart uploads are aborted after a day',
  );

  const gcs = one(config.get('gcp').resource, 'google_storage_bucket', 'backups');
  assert.ok(
    gcs.lifecycle_rule.some(
      (r: Hcl) =>
        r.condition[0].matches_prefix?.includes('tenants/') &&
        r.condition[0].age === tf('var.backup_expire_days'),
    ),
  );
  assert.equal(gcs.versioning[0].enabled, true);
  assert.equal(gcs.encryption[0].default_kms_key_name, tf('google_kms_crypto_key.backups.id'));
  const oci = one(config.get('oci').resource, 'oci_objectstorage_object_lifecycle_policy', 'backups');
  assert.ok(
    oci.rules.some(
      (r: Hcl) =>
        r.object_name_filter?.[0]?.inclusion_prefixes?.includes('tenants/') &&
        r.time_amount === tf('var.backup_expire_days'),
    ),
  );
  const azure = one(config.get('azure').resource, 'azurerm_storage_management_policy', 'backups');
  assert.ok(azure.rule[0].filters[0].prefix_match[0].endsWith('/tenants/'));
});

test("the backup service's workload identity trusts exactly the service account the Kubernetes manifests give it", async () => {
  const kustomization = parseAllDocuments(
    await readFile(join(repoRoot, 'deploy/k8s/base/kustomization.yaml'), 'utf8'),
  )[0]?.toJS();
  const backupManifest = parseAllDocuments(
    await readFile(join(repoRoot, 'deploy/k8s/base/services/backup.yaml'), 'utf8'),
  ).map((d) => d.toJS());
  const serviceAccount = backupManifest.find((o) => o.kind === 'Deployment').spec.template.spec
    .serviceAccountName;
  for (const [cloud, hcl] of config) {
    assert.equal(one(hcl, 'variable', 'namespace').default, kustomization.namespace, `${cloud}: namespace`);
    assert.equal(
      one(hcl, 'variable', 'service_account').default,
      serviceAccount,
      `${cloud}: service account`,
    );
  }
  const trust: Hcl[] = one(aws.data, 'aws_iam_policy_document', 'backup_trust').statement;
  const conditions: Hcl[] = trust[0].condition;
  assert.ok(
    conditions.some(
      (c) =>
        c.test === 'StringEquals' &&
        c.variable === `${tf('var.eks_oidc_issuer')}:sub` &&
        c.values[0] === `system:serviceaccount:${tf('var.namespace')}:${tf('var.service_account')}`,
    ),
  );
  assert.deepEqual(trust[0].actions, ['sts:AssumeRoleWithWebIdentity']);
  // Least privilege: objects under tenants/ and the one key; nothing on the bucket's configuration.
  const allowed: Hcl[] = one(aws.data, 'aws_iam_policy_document', 'backup').statement;
  const actions = allowed.flatMap((s) => s.actions as string[]);
  assert.ok(!actions.some((a) => a.endsWith('*')), 'no wildcard action');
  assert.ok(!actions.some((a) => /Bucket(Policy|Lifecycle|Versioning)|PutLifecycle|PutBucket/.test(a)));
  for (const s of allowed)
    for (const r of s.resources as string[])
      assert.ok(
        [
          tf('aws_s3_bucket.backups.arn'),
          `${tf('aws_s3_bucket.backups.arn')}/tenants/*`,
          tf('aws_kms_key.backups.arn'),
        ].includes(r),
        `${s.sid} names ${r}`,
      );
  const federated = one(config.get('azure').resource, 'azurerm_federated_identity_credential', 'backup');
  assert.equal(
    federated.subject,
    `system:serviceaccount:${tf('var.namespace')}:${tf('var.service_account')}`,
  );
  const gke = one(config.get('gcp').resource, 'google_service_account_iam_member', 'workload_identity');
  assert.equal(
    gke.member,
    `serviceAccount:${tf('var.project')}.svc.id.goog[${tf('var.namespace')}/${tf('var.service_account')}]`,
  );
});
