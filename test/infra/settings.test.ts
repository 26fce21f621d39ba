import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Setting, settings } from '../../functions/wiring/settings.ts';
import { buildApp } from '../../infra/app.ts';
import { buildConsoleIfStale } from '../../local/console.ts';

type Resource = { Type: string; Properties: Record<string, any> };

const testApp = (context: Record<string, unknown>) =>
  buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], demo: 'true', ...context } }));

/** What Lambda, Powertools and the Parameters and Secrets extension read themselves: not product settings. */
const RUNTIME_VARIABLES =
  /^(NODE_OPTIONS|POWERTOOLS_|PARAMETERS_SECRETS_EXTENSION_|SECRETS_MANAGER_|SSM_PARAMETER_STORE_|AWS_)/;

beforeAll(() => buildConsoleIfStale(), 60_000);

describe('the stack and the settings table', () => {
  it('gives the functions no variable the table does not name', () => {
    const { stack } = testApp({ stage: 'test', mailFrom: 'support@vendor.example' });
    const given = Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, Resource>)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .flatMap((r) => Object.keys(r.Properties.Environment?.Variables ?? {}));
    const named = (Object.values(settings) as Setting[]).flatMap((s) => (s.variable ? [s.variable] : []));
    const unnamed = [...new Set(given)].filter((v) => !named.includes(v) && !RUNTIME_VARIABLES.test(v));
    expect(unnamed).toEqual([]);
  });

  it('refuses a stage value its setting cannot read, naming key and variable', () => {
    expect(() => testApp({ grantMaxSeconds: '122 days' })).toThrow(
      'grantMaxSeconds (GRANT_MAX_SECONDS): must be a whole number',
    );
    expect(() => testApp({ mailBrandName: 'x'.repeat(61) })).toThrow(
      'mailBrandName (MAIL_BRAND_NAME): must be at most 60 characters',
    );
    expect(() => testApp({ consoleUrl: 'console.vendor.example' })).toThrow(
      'consoleUrl (CONSOLE_URL): must be an http(s) URL',
    );
  });

  it('hands a stage’s policy values to every table function', () => {
    const { stack } = testApp({ grantMinSeconds: 60, instructionConfirmSeconds: '3600' });
    const tableFunctions = Object.values(
      Template.fromStack(stack).toJSON().Resources as Record<string, Resource>,
    ).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.TABLE_NAME);
    expect(tableFunctions.length).toBeGreaterThan(10);
    for (const f of tableFunctions)
      expect(f.Properties.Environment.Variables).toMatchObject({
        GRANT_MIN_SECONDS: '60',
        INSTRUCTION_CONFIRM_SECONDS: '3600',
      });
  });

  it('takes every setting of the table from a stage’s file (mailBrandName and jwksUrl were refused once)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stage-settings-'));
    try {
      await writeFile(
        join(dir, 'acme.json'),
        JSON.stringify({
          mailFrom: 'support@vendor.example',
          mailBrandName: 'Payroll Cloud',
          issuer: 'https://id.vendor.example',
          audience: 'console',
          jwksUrl: 'https://id.vendor.example/keys',
          authorizeUrl: 'https://id.vendor.example/authorize',
          tokenUrl: 'https://id.vendor.example/token',
        }),
      );
      const { stack } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], stage: 'acme' } }), dir);
      const variables = Object.values(
        Template.fromStack(stack).toJSON().Resources as Record<string, Resource>,
      )
        .filter((r) => r.Type === 'AWS::Lambda::Function')
        .map((r) => r.Properties.Environment?.Variables ?? {});
      expect(variables).toContainEqual(expect.objectContaining({ MAIL_BRAND_NAME: 'Payroll Cloud' }));
      expect(variables).toContainEqual(
        expect.objectContaining({ JWT_JWKS_URL: 'https://id.vendor.example/keys' }),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
