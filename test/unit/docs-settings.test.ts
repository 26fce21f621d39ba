import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as config from '../../functions/wiring/config.ts';
import {
  type Setting,
  settings,
  stageSettingProblems,
  stageValuesFromEnvironment,
} from '../../functions/wiring/settings.ts';
import { localEnv } from '../../local/env.ts';
import { localSettings } from '../../local/settings.ts';
import { localSettingsTable, OPERATIONS_MD, settingsTable, withGeneratedTables } from '../../scripts/docs.ts';

const all: Setting[] = Object.values(settings);

describe('the settings table', () => {
  it('in docs/operations.md is the one the code makes (`npm run docs` writes it)', () => {
    const markdown = readFileSync(OPERATIONS_MD, 'utf8');
    expect(markdown, 'docs/operations.md is stale: run `npm run docs`').toBe(withGeneratedTables(markdown));
  });

  it('names every setting with its variable, stage key and default', () => {
    const table = settingsTable();
    for (const s of all) {
      if (s.variable) expect(table).toContain(`\`${s.variable}\``);
      if (s.context) expect(table).toContain(`\`${s.context}\``);
    }
    expect(table).toMatch(/`REMINDER_BEFORE_SECONDS` +\| `reminderBeforeSeconds` +\| 86 400 /);
    for (const s of Object.values(localSettings)) expect(localSettingsTable()).toContain(`\`${s.variable}\``);
  });

  it('names each variable and each stage key once', () => {
    const variables = all.flatMap((s) => (s.variable ? [s.variable] : []));
    const keys = all.flatMap((s) => (s.context ? [s.context] : []));
    expect(new Set(variables).size).toBe(variables.length);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('every stage key is explained in docs/deploy.md', () => {
    const deploy = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
    for (const s of all) if (s.context && s.context !== 'demo') expect(deploy).toContain(`\`${s.context}\``);
  });
});

describe('the functions’ configuration', () => {
  const sections = [
    config.tableConfig,
    config.policyConfig,
    config.claimsConfig,
    config.signInConfig,
    config.schedulerConfig,
    config.mailConfig,
    config.cursorConfig,
    config.eventBusConfig,
    config.sdkConfig,
    config.retryWakeUpConfig,
    config.webhookConfig,
  ];

  it('reads every variable of the table, and no other', () => {
    const complete: NodeJS.ProcessEnv = {
      TABLE_NAME: 't',
      JWT_ISSUER: 'https://issuer.example',
      JWT_AUDIENCE: 'a',
      JWT_JWKS_URL: 'https://issuer.example/jwks',
      SCHEDULE_GROUP: 'g',
      EXPIRY_FUNCTION_ARN: 'f',
      SCHEDULER_ROLE_ARN: 'r',
      SCHEDULE_DLQ_ARN: 'q',
      MAIL_FROM: 'm@vendor.example',
      CURSOR_KEY_SECRET_ARN: 's',
      EVENT_BUS_NAME: 'b',
      RETRY_SCHEDULE_GROUP: 'w',
      RETRY_FUNCTION_ARN: 'd',
      RETRY_SCHEDULER_ROLE_ARN: 'wr',
      SDK_CONNECTION_TIMEOUT_MS: '1000',
      SDK_REQUEST_TIMEOUT_MS: '2000',
    };
    const read = sections.flatMap((section) => Object.keys(section(complete)));
    expect(read.sort()).toEqual(all.flatMap((s) => (s.variable ? [s.variable] : [])).sort());
  });

  it('applies the table’s defaults and fails fast naming a malformed variable', () => {
    expect(config.grantPolicy({})).toEqual({
      minSeconds: 300,
      maxSeconds: 10_540_800,
      reminderBeforeSeconds: 86_400,
      instructionConfirmSeconds: 259_200,
    });
    expect(config.tableConfig({ TABLE_NAME: 't' }).ACTIVE_INDEX_SHARDS).toBe(1);
    expect(() => config.policyConfig({ REMINDER_BEFORE_SECONDS: 'a day' })).toThrow(
      'Invalid configuration: REMINDER_BEFORE_SECONDS must be a whole number',
    );
    expect(() => config.tableConfig({ TABLE_NAME: 't', ACTIVE_INDEX_SHARDS: '33' })).toThrow(
      /ACTIVE_INDEX_SHARDS must be 1–32/,
    );
    expect(() => config.eventBusConfig({})).toThrow('Invalid configuration: EVENT_BUS_NAME is required');
    expect(config.sdkConfig({})).toEqual({});
    expect(() => config.sdkConfig({ SDK_REQUEST_TIMEOUT_MS: '2s' })).toThrow(
      'Invalid configuration: SDK_REQUEST_TIMEOUT_MS must be a whole number',
    );
  });
});

describe('a stage’s values', () => {
  it('are read by the same schemas: a bad one is named with its key and variable', () => {
    const given: Record<string, string> = {
      grantMinSeconds: 'five minutes',
      mailBrandName: 'Pay\nroll',
      issuer: 'x',
    };
    expect(stageSettingProblems((key) => given[key])).toEqual([
      'grantMinSeconds (GRANT_MIN_SECONDS): must be a whole number',
      'mailBrandName (MAIL_BRAND_NAME): must be one line',
    ]);
  });

  it('npm start takes from its environment exactly the settings marked for it', () => {
    const env = Object.fromEntries(all.flatMap((s) => (s.variable ? [[s.variable, `v-${s.variable}`]] : [])));
    expect(stageValuesFromEnvironment(env)).toEqual({
      activeIndexShards: 'v-ACTIVE_INDEX_SHARDS',
      grantMinSeconds: 'v-GRANT_MIN_SECONDS',
      grantMaxSeconds: 'v-GRANT_MAX_SECONDS',
      reminderBeforeSeconds: 'v-REMINDER_BEFORE_SECONDS',
      instructionConfirmSeconds: 'v-INSTRUCTION_CONFIRM_SECONDS',
      mailFrom: 'v-MAIL_FROM',
      mailBrandName: 'v-MAIL_BRAND_NAME',
      consoleUrl: 'v-CONSOLE_URL',
    });
    expect(stageValuesFromEnvironment({ GRANT_MIN_SECONDS: '' })).toEqual({});
  });
});

describe('the local runtime’s own settings', () => {
  it('are read through local/settings.ts: defaults when unset or empty, a malformed one named', () => {
    expect(localEnv({ PORT: '' })).toMatchObject({
      port: 3000,
      dynamodbPort: 8000,
      sweepIntervalSeconds: 60,
      tableName: 'support-access-local',
      sesMaxSendRate: null,
      schedulerEmulator: true,
      callLog: undefined,
    });
    expect(localEnv({ SCHEDULER_EMULATOR: 'off', SES_MAX_SEND_RATE: '14', PORT: '3100' })).toMatchObject({
      schedulerEmulator: false,
      sesMaxSendRate: 14,
      port: 3100,
    });
    expect(() => localEnv({ PORT: '70000' })).toThrow('PORT must be a port number (1–65535)');
    expect(() => localEnv({ SCHEDULER_EMULATOR: 'false' })).toThrow(
      'SCHEDULER_EMULATOR must be "on" or "off"',
    );
    expect(() => localEnv({ SES_MAX_24H_SEND: '0' })).toThrow('SES_MAX_24H_SEND must be a positive number');
  });
});
