import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { createUser, parseUser, poolRegion } from '../../scripts/create-user.ts';

/** A Cognito client that records each request as it would be sent, and answers nothing. */
function recordingCognito() {
  const sent: { command: string; input: unknown }[] = [];
  const client = new CognitoIdentityProviderClient({
    region: 'eu-central-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      sent.push({ command: String(context.commandName), input: args.input });
      return { output: { $metadata: {} }, response: {} };
    },
    { step: 'initialize', name: 'recordInsteadOfSend' },
  );
  return { client, sent };
}

/** What `npm run create-user -- <args>` asks of Cognito. */
async function requestsFor(args: string) {
  const { client, sent } = recordingCognito();
  await createUser(client, parseUser(args.split(' ')));
  return sent;
}

describe('npm run create-user', () => {
  it('creates a tenant admin with a verified email and the tenant attribute, in the admin group', async () => {
    const sent = await requestsFor(
      '--pool-id eu-central-1_x --email a@acme.example --role tenant-admin --tenant acme',
    );
    expect(sent.map((s) => s.command)).toEqual(['AdminCreateUserCommand', 'AdminAddUserToGroupCommand']);
    expect(sent[0]?.input).toMatchObject({
      UserPoolId: 'eu-central-1_x',
      Username: 'a@acme.example',
      UserAttributes: [
        { Name: 'email', Value: 'a@acme.example' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:tenant_id', Value: 'acme' },
      ],
    });
    expect(sent[1]?.input).toMatchObject({ GroupName: 'tenant-admin', Username: 'a@acme.example' });
  });

  it('creates a support agent without a tenant', async () => {
    const sent = await requestsFor('--pool-id eu-west-1_p --email agent@vendor.example --role support-agent');
    const attributes = (
      (sent[0]?.input ?? { UserAttributes: [] }) as { UserAttributes: { Name: string }[] }
    ).UserAttributes.map((a) => a.Name);
    expect(attributes).not.toContain('custom:tenant_id');
    expect(sent[1]?.input).toMatchObject({ GroupName: 'support-agent' });
  });

  it("creates a contact's sign-in: the tenant attribute, a verified email, and no group", async () => {
    const sent = await requestsFor(
      '--pool-id eu-west-1_p --email c@acme.example --role contact --tenant acme',
    );
    expect(sent.map((s) => s.command)).toEqual(['AdminCreateUserCommand']);
    expect(sent[0]?.input).toMatchObject({
      DesiredDeliveryMediums: ['EMAIL'],
      UserAttributes: [
        { Name: 'email', Value: 'c@acme.example' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:tenant_id', Value: 'acme' },
      ],
    });
  });

  it("calls the pool's own region, whatever the shell's", () => {
    expect(poolRegion('ap-southeast-2_AbC123')).toBe('ap-southeast-2');
    expect(poolRegion('us-gov-west-1_x')).toBe('us-gov-west-1');
    expect(() => poolRegion('AbC123')).toThrow(/not a user pool id/);
  });

  it('refuses what would make a wrong user', () => {
    const pool = ['--pool-id', 'eu-west-1_p'];
    expect(() => parseUser([...pool, '--email', 'e', '--role', 'tenant-admin'])).toThrow(/needs --tenant/);
    expect(() => parseUser([...pool, '--email', 'e', '--role', 'contact'])).toThrow(/needs --tenant/);
    expect(() => parseUser([...pool, '--email', 'e', '--role', 'support-agent', '--tenant', 't'])).toThrow(
      /no tenant/,
    );
    expect(() => parseUser([...pool, '--email', 'e', '--role', 'root'])).toThrow(/--role must be/);
    expect(() => parseUser(['--email', 'e', '--role', 'support-agent'])).toThrow(/required/);
    expect(() => parseUser(['--pool-id', 'p', '--email', 'e', '--role', 'support-agent'])).toThrow(
      /--pool-id must/,
    );
  });
});
