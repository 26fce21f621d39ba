/**
 * `npm run --silent create-user -- --pool-id ID --email E --role tenant-admin|support-agent [--tenant T]`
 * creates the first users of a deployed stack's Cognito user pool: a tenant admin (with the
 * tenant attribute) or a vendor support agent (without one), email marked verified, in the
 * role's group. Cognito mails them a temporary password; MFA is set up at first sign-in.
 */
import { parseArgs } from 'node:util';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';

const ROLES = ['tenant-admin', 'support-agent'] as const;
const usage =
  'usage: npm run --silent create-user -- --pool-id ID --email E --role tenant-admin|support-agent [--tenant T]';

export interface NewUser {
  poolId: string;
  email: string;
  role: (typeof ROLES)[number];
  tenant?: string | undefined;
}

export function parseUser(args: string[]): NewUser {
  const { values } = parseArgs({
    args,
    options: {
      'pool-id': { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      tenant: { type: 'string' },
    },
    strict: true,
  });
  const poolId = values['pool-id'];
  const { email, role, tenant } = values;
  if (!poolId || !email || !role) throw new Error('--pool-id, --email and --role are required');
  if (!(ROLES as readonly string[]).includes(role))
    throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  if (role === 'tenant-admin' && !tenant) throw new Error('a tenant admin needs --tenant');
  if (role === 'support-agent' && tenant)
    throw new Error('a support agent belongs to no tenant: leave out --tenant');
  if (tenant && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(tenant))
    throw new Error('--tenant must be 1–64 letters, digits, ".", "_" or "-"');
  return { poolId, email, role: role as NewUser['role'], tenant };
}

export async function createUser(client: CognitoIdentityProviderClient, user: NewUser): Promise<void> {
  await client.send(
    new AdminCreateUserCommand({
      UserPoolId: user.poolId,
      Username: user.email,
      DesiredDeliveryMediums: ['EMAIL'],
      UserAttributes: [
        { Name: 'email', Value: user.email },
        // Created by the operator for this address: the invitation mail proves it reaches them.
        { Name: 'email_verified', Value: 'true' },
        ...(user.tenant ? [{ Name: 'custom:tenant_id', Value: user.tenant }] : []),
      ],
    }),
  );
  await client.send(
    new AdminAddUserToGroupCommand({ UserPoolId: user.poolId, Username: user.email, GroupName: user.role }),
  );
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  try {
    const user = parseUser(process.argv.slice(2));
    await createUser(new CognitoIdentityProviderClient({}), user);
    process.stdout.write(`created ${user.email} (${user.role}${user.tenant ? ` of ${user.tenant}` : ''})\n`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}
