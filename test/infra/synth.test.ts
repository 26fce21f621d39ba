import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_FUNCTIONS } from '../../functions/background.ts';
import { routes } from '../../functions/http/routes.ts';
import { buildConsoleIfStale } from '../../local/console.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('npm run synth', () => {
  it('bundles every function with the local esbuild, offline and without credentials, cdk-nag clean', async () => {
    await buildConsoleIfStale();
    const out = await mkdtemp(join(tmpdir(), 'cdk-out-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
      for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
        delete env[key];
      const result = spawnSync(
        process.execPath,
        [
          join(ROOT, 'node_modules/aws-cdk/bin/cdk'),
          'synth',
          '--quiet',
          '--output',
          out,
          '--context',
          'stage=ci',
          '--context',
          'demo=true',
        ],
        { cwd: ROOT, env, encoding: 'utf8', timeout: 180_000 },
      );
      expect(result.status, `${result.stdout}\n${result.stderr}`.slice(-3000)).toBe(0);
      const report = JSON.parse(await readFile(join(out, 'validation-report.json'), 'utf8'));
      for (const plugin of report.pluginReports as { conclusion: string; violations: unknown[] }[]) {
        expect(plugin.conclusion).toBe('success');
        expect(plugin.violations).toEqual([]);
      }
      const template = JSON.parse(await readFile(join(out, 'SupportAccess-ci.template.json'), 'utf8'));
      const functions = Object.entries(template.Resources as Record<string, { Type: string }>).filter(
        ([id, r]) => r.Type === 'AWS::Lambda::Function' && !id.startsWith('CustomCDKBucketDeployment'),
      );
      // Every route, every background function, and the deploy-time check of the shard count.
      const count = routes.length + Object.keys(BACKGROUND_FUNCTIONS).length + 1;
      expect(functions).toHaveLength(count);
      const assets: string[] = [];
      for (const entry of await readdir(out, { withFileTypes: true })) {
        if (!entry.isDirectory() || !entry.name.startsWith('asset.')) continue;
        if ((await readdir(join(out, entry.name))).includes('index.mjs')) assets.push(entry.name);
      }
      expect(assets.length).toBe(count);
      for (const asset of assets) {
        const bundle = join(out, asset, 'index.mjs');
        expect((await stat(bundle)).size).toBeGreaterThan(1000);
        // ESM bundles that include the AWS SDK need require() from createRequire.
        expect((await readFile(bundle, 'utf8')).slice(0, 200)).toContain('createRequire');
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 240_000);
});
