import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routes } from '../../functions/http/routes.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('npm run synth', () => {
  it('bundles every function with the local esbuild, offline and without credentials, cdk-nag clean', async () => {
    const out = await mkdtemp(join(tmpdir(), 'cdk-out-'));
    try {
      const env = { ...process.env, CI: 'true' };
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
        ],
        { cwd: ROOT, env, encoding: 'utf8', timeout: 180_000 },
      );
      expect(result.status, `${result.stdout}\n${result.stderr}`.slice(-3000)).toBe(0);
      const report = JSON.parse(await readFile(join(out, 'validation-report.json'), 'utf8'));
      expect(report.pluginReports).toEqual([]);
      const template = JSON.parse(await readFile(join(out, 'SupportAccess-ci.template.json'), 'utf8'));
      const functions = Object.values(template.Resources as Record<string, { Type: string }>).filter(
        (r) => r.Type === 'AWS::Lambda::Function',
      );
      expect(functions).toHaveLength(routes.length + 3);
      const assets = (await readdir(out)).filter((name) => name.startsWith('asset.'));
      expect(assets.length).toBeGreaterThanOrEqual(routes.length + 3);
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
