import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/http/openapi.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
}

describe('docs/openapi.json', () => {
  it('passes an independent linter’s recommended rules (Redocly CLI) with no error and no warning', async () => {
    const { stdout } = await promisify(execFile)(
      'node_modules/.bin/redocly',
      ['lint', '--extends=recommended', '--format=json', 'docs/openapi.json'],
      {
        cwd: root,
        // Offline and quiet: no usage data, no update check.
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout) as LintReport;
    const problems = report.problems.map(
      (p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`,
    );
    expect(problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 30_000);

  it('lists what the emailed links refuse with', () => {
    const paths = openApiDocument().paths as Record<
      string,
      Record<string, { responses: Record<string, unknown> }>
    >;
    const link = paths['/actions/{token}'];
    expect(Object.keys(link?.get?.responses ?? {}).sort()).toEqual(['200', '400', '403', '404', '410']);
    expect(Object.keys(link?.post?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '410',
    ]);
    expect(Object.keys(paths['/health']?.get?.responses ?? {}).sort()).toEqual(['200', '400']);
  });
});
