/**
 * `npm run --silent create-user -- --pool-id ID --email E --role tenant-admin|contact|support-agent [--tenant T]`
 * creates users in a deployed stack's Cognito user pool: a tenant admin (in the admin group), a
 * contact's sign-in (no group: what a contact may do follows from the tenant's contact list), both
 * with the tenant attribute, or a vendor support agent (in the agent group, no tenant). Email
 * marked verified. Cognito mails the stack's invitation (the console's URL, a temporary password);
 * MFA is set up at first sign-in. The pool's region is the one the call goes to, whatever the shell's.
 */
import { parseArgs } from 'node:util';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';

const ROLES = ['tenant-admin', 'contact', 'support-agent'] as const;
/** The role's Cognito group; a contact has none (the contact list, not a group, authorizes). */
const GROUPS: Record<(typeof ROLES)[number], string | null> = {
  'tenant-admin': 'tenant-admin',
  contact: null,
  'support-agent': 'support-agent',
};
const usage =
  'usage: npm run --silent create-user -- --pool-id ID --email E --role tenant-admin|contact|support-agent [--tenant T]';

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
  if (role === 'contact' && !tenant) throw new Error("a contact's sign-in needs --tenant");
  if (role === 'support-agent' && tenant)
    throw new Error('a support agent belongs to no tenant: leave out --tenant');
  if (tenant && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(tenant))
    throw new Error('--tenant must be 1–64 letters, digits, ".", "_" or "-"');
  if (!POOL_ID.test(poolId))
    throw new Error('--pool-id must look like eu-central-1_AbC123 (the UserPoolId output)');
  return { poolId, email, role: role as NewUser['role'], tenant };
}

const POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d)_[A-Za-z0-9]+$/;

/** The region a user pool lives in: the prefix of its id. */
export function poolRegion(poolId: string): string {
  const region = POOL_ID.exec(poolId)?.[1];
  if (!region) throw new Error(`not a user pool id: ${poolId}`);
  return region;
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
  const group = GROUPS[user.role];
  if (group)
    await client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: user.poolId, Username: user.email, GroupName: group }),
    );
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  try {
    const user = parseUser(process.argv.slice(2));
    await createUser(new CognitoIdentityProviderClient({ region: poolRegion(user.poolId) }), user);
    process.stdout.write(
      `created ${user.email} (${user.role}${user.tenant ? ` of ${user.tenant}` : ''}); Cognito mailed the invitation\n`,
    );
    if (user.role === 'contact')
      process.stdout.write(
        'A contact acts as one once a tenant admin adds this email to the contact list (console, Contacts).\n',
      );
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}
