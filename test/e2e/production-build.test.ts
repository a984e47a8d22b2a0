import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, SERVICES } from '@ocp/cli';

interface Manifest {
  name: string;
  scripts?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  dependencies?: Record<string, string>;
}

async function workspaceManifests(): Promise<Map<string, { dir: string; manifest: Manifest }>> {
  const found = new Map<string, { dir: string; manifest: Manifest }>();
  for (const root of ['packages', 'services']) {
    for (const name of await readdir(join(repoRoot, root))) {
      const dir = join(root, name);
      const text = await readFile(join(repoRoot, dir, 'package.json'), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const manifest = JSON.parse(text) as Manifest;
      found.set(manifest.name, { dir, manifest });
    }
  }
  return found;
}

test('every workspace package a built service loads compiles to dist/ and resolves there under the production condition', async () => {
  const manifests = await workspaceManifests();
  // The services and, transitively, the workspace packages among their runtime dependencies.
  const needed = new Set<string>(SERVICES.map((name) => `@ocp/${name}`));
  for (const name of needed) {
    const entry = manifests.get(name);
    assert.ok(entry, `${name} is a workspace package`);
    for (const [dep, version] of Object.entries(entry.manifest.dependencies ?? {})) {
      if (version.startsWith('workspace:')) needed.add(dep);
    }
  }
  assert.ok(needed.size > SERVICES.length, 'the services depend on workspace packages');

  for (const name of needed) {
    const { dir, manifest } = manifests.get(name)!;
    assert.match(manifest.scripts?.build ?? '', /tsc -p tsconfig\.build\.json/, `${dir} has a build script`);
    const exports = Object.entries(manifest.exports ?? {});
    assert.ok(exports.length > 0, `${dir} lists its exports`);
    for (const [path, target] of exports) {
      assert.equal(typeof target, 'object', `${dir} export ${path} has conditions`);
      const { production, default: source } = target as Record<string, string>;
      assert.match(source ?? '', /^\.\/src\/.+\.ts$/, `${dir} export ${path} defaults to its source`);
      assert.equal(
        production,
        source?.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '.js'),
        `${dir} export ${path} resolves to the compiled file under production`,
      );
    }
  }
  for (const name of SERVICES) {
    const { manifest } = manifests.get(`@ocp/${name}`)!;
    assert.equal(manifest.scripts?.start, 'node --conditions=production dist/main.js');
  }
});
