import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  ClientAttributes,
  Mfa,
  OAuthScope,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routeTable } from '../../functions/http/routes.ts';
import { AppFunction } from './function.ts';
import { grantNeeds, type ScheduleAccess } from './grants-access.ts';
import type { RetryWakeUpAccess } from './webhooks.ts';

export interface ConsoleAuth {
  authorizeUrl: string;
  tokenUrl: string;
  logoutUrl?: string;
  clientId: string;
  scopes: string[];
}

/** An existing OIDC issuer instead of the Cognito user pool the stack would create. */
export interface ExternalIssuer {
  issuer: string;
  audience: string[];
  /** The issuer's JSON Web Key Set (`jwks_uri` of its discovery document). */
  jwksUrl: string;
  /** The console's sign-in at that issuer (authorization code + PKCE); none: the console cannot sign in. */
  console?: { authorizeUrl: string; tokenUrl: string; clientId: string } | undefined;
  rolesClaim: string;
  tenantClaim: string;
  emailClaim: string;
  /** The claim that says the email was verified (true or "true"); without it no one is a contact. */
  emailVerifiedClaim: string;
}

export interface ApiProps {
  table: ITable;
  environment: Record<string, string>;
  schedulerEnvironment: Record<string, string>;
  scheduleAccess: ScheduleAccess;
  /** For the routes that wake the webhook retry driver. */
  retryWakeUps: RetryWakeUpAccess;
  /** Origin of the admin console: the only one CORS allows. */
  consoleOrigin: string;
  /** Where Cognito sends the console back after sign-in. */
  consoleCallbackUrls: string[];
  /** The console's public URL: the invitation to a new user names it. */
  consoleUrl: string;
  issuer?: ExternalIssuer | undefined;
  /** Hosted UI domain prefix for the Cognito user pool. */
  authDomainPrefix?: string | undefined;
  throttle: { rateLimit: number; burstLimit: number };
  /**
   * The lower limit of each unauthenticated route (`access: 'public'`), so anonymous traffic
   * cannot use up the stage's throttle that signed-in users share.
   */
  publicThrottle: { rateLimit: number; burstLimit: number };
}

const HTTP_METHOD: Record<string, HttpMethod> = {
  GET: HttpMethod.GET,
  POST: HttpMethod.POST,
  PATCH: HttpMethod.PATCH,
  DELETE: HttpMethod.DELETE,
};

/** The HTTP API, built from the shared route table: one function per route, JWT on every route but public ones. */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly functions: Record<string, AppFunction> = {};
  readonly userPool?: UserPool;
  readonly consoleClient?: UserPoolClient;
  readonly accessLogs: LogGroup;
  /** The console's sign-in endpoints (with the Cognito hosted UI), for its config.json. */
  /** How the console signs in: the hosted UI of the stack's pool, or the external issuer's endpoints. */
  readonly consoleAuth?: ConsoleAuth;
  readonly claimNames: { roles: string; tenant: string; email: string };

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const stack = Stack.of(this);
    let issuerUrl: string;
    let audience: string[];
    let jwksUrl: string;
    let claims: Record<string, string>;
    if (props.issuer) {
      issuerUrl = props.issuer.issuer;
      audience = props.issuer.audience;
      jwksUrl = props.issuer.jwksUrl;
      claims = {
        ROLES_CLAIM: props.issuer.rolesClaim,
        TENANT_CLAIM: props.issuer.tenantClaim,
        EMAIL_CLAIM: props.issuer.emailClaim,
        EMAIL_VERIFIED_CLAIM: props.issuer.emailVerifiedClaim,
      };
      if (props.issuer.console)
        this.consoleAuth = { ...props.issuer.console, scopes: ['openid', 'email', 'profile'] };
    } else {
      const pool = new UserPool(this, 'Users', {
        selfSignUpEnabled: false,
        signInAliases: { email: true },
        standardAttributes: { email: { required: true, mutable: true } },
        // A changed email stays pending until the user verifies it: contacts and agents are
        // known by their email, so nobody may take over another's by editing their own.
        keepOriginal: { email: true },
        customAttributes: { tenant_id: new StringAttribute({ mutable: false, minLen: 1, maxLen: 64 }) },
        mfa: Mfa.REQUIRED,
        mfaSecondFactor: { otp: true, sms: false },
        passwordPolicy: {
          minLength: 12,
          requireDigits: true,
          requireLowercase: true,
          requireUppercase: true,
          requireSymbols: true,
        },
        accountRecovery: AccountRecovery.EMAIL_ONLY,
        // The invitation `npm run create-user` sends: where to sign in, not only a password.
        userInvitation: {
          emailSubject: 'Your sign-in to Support access',
          emailBody:
            `You have been given a sign-in to Support access: ${props.consoleUrl}<br><br>` +
            'User name: {username}<br>Temporary password: {####}<br><br>' +
            'At your first sign-in you choose your own password and set up an authenticator app.',
        },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const group of ['tenant-admin', 'support-agent']) {
        // Kept with the pool: a pool kept after a teardown still has its users' roles.
        new CfnUserPoolGroup(this, `Group-${group}`, {
          userPoolId: pool.userPoolId,
          groupName: group,
        }).applyRemovalPolicy(RemovalPolicy.RETAIN);
      }
      const client = pool.addClient('Console', {
        generateSecret: false,
        authFlows: { userSrp: true },
        // The console writes no user attributes, the email least of all.
        writeAttributes: new ClientAttributes(),
        oAuth: {
          flows: { authorizationCodeGrant: true },
          scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
          callbackUrls: props.consoleCallbackUrls,
          logoutUrls: props.consoleCallbackUrls,
        },
        idTokenValidity: Duration.hours(1),
        accessTokenValidity: Duration.hours(1),
        refreshTokenValidity: Duration.hours(12),
        preventUserExistenceErrors: true,
        enableTokenRevocation: true,
      });
      if (props.authDomainPrefix) {
        pool.addDomain('HostedUi', { cognitoDomain: { domainPrefix: props.authDomainPrefix } });
        // Spelled from the prefix (Cognito's URL for it), not a reference to the domain: the
        // console's CSP names the token URL, and the pool (whose invitation names the console)
        // must not depend on the console.
        const base = `https://${props.authDomainPrefix}.auth.${stack.region}.amazoncognito.com`;
        this.consoleAuth = {
          authorizeUrl: `${base}/oauth2/authorize`,
          tokenUrl: `${base}/oauth2/token`,
          logoutUrl: `${base}/logout`,
          clientId: client.userPoolClientId,
          scopes: ['openid', 'email', 'profile'],
        };
      }
      this.userPool = pool;
      this.consoleClient = client;
      issuerUrl = `https://cognito-idp.${stack.region}.amazonaws.com/${pool.userPoolId}`;
      audience = [client.userPoolClientId];
      jwksUrl = `${issuerUrl}/.well-known/jwks.json`;
      // Cognito ID tokens: groups and the custom tenant attribute.
      claims = { ROLES_CLAIM: 'cognito:groups', TENANT_CLAIM: 'custom:tenant_id', EMAIL_CLAIM: 'email' };
      new CfnOutput(this, 'UserPoolId', { value: pool.userPoolId });
      new CfnOutput(this, 'ConsoleClientId', { value: client.userPoolClientId });
    }
    new CfnOutput(this, 'Issuer', { value: issuerUrl });
    this.claimNames = {
      roles: claims.ROLES_CLAIM as string,
      tenant: claims.TENANT_CLAIM as string,
      email: claims.EMAIL_CLAIM as string,
    };

    const authorizer: IHttpRouteAuthorizer = new HttpJwtAuthorizer('Jwt', issuerUrl, {
      jwtAudience: audience,
    });
    // What the authorizer checks, for a function that checks a token itself.
    const signIn = { JWT_ISSUER: issuerUrl, JWT_AUDIENCE: audience.join(','), JWT_JWKS_URL: jwksUrl };

    this.httpApi = new HttpApi(this, 'Http', {
      description: 'Support access grants',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [props.consoleOrigin],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PATCH, CorsHttpMethod.DELETE],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        // The console reads the export's next page and a create's replay marker.
        exposeHeaders: ['x-next-cursor', 'idempotent-replayed'],
        maxAge: Duration.hours(1),
      },
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        // The route key, never the raw path: an emailed link's token is in its path, and whoever
        // reads the logs must not be able to use it.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    // CloudFormation's own spelling: the stage's RouteSettings is a plain JSON map.
    const publicRoutes: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of routeTable) {
      const needs = route.needs;
      const fn = new AppFunction(this, `Route-${route.name}`, {
        entry: route.entry,
        description: `${route.method} ${route.path}`,
        environment: {
          ...props.environment,
          ...claims,
          ...(needs.schedules ? props.schedulerEnvironment : {}),
          ...(route.verifiesSignIn ? signIn : {}),
          ...(needs.wakesRetries ? props.retryWakeUps.environment : {}),
        },
      });
      grantNeeds(fn.fn, needs, props.table, needs.schedules ? props.scheduleAccess : undefined);
      if (needs.wakesRetries) props.retryWakeUps.grant(fn.fn);
      this.functions[route.name] = fn;
      const added = this.httpApi.addRoutes({
        path: route.path,
        methods: [HTTP_METHOD[route.method] as HttpMethod],
        integration: new HttpLambdaIntegration(`${route.name}Integration`, fn.fn),
        authorizer: route.access === 'public' ? new HttpNoneAuthorizer() : authorizer,
      });
      if (route.access === 'public') {
        publicRoutes[`${route.method} ${route.path}`] = {
          ThrottlingRateLimit: props.publicThrottle.rateLimit,
          ThrottlingBurstLimit: props.publicThrottle.burstLimit,
        };
        // A stage's route settings name routes that must exist first.
        for (const r of added) stage.node.addDependency(r);
      }
    }
    (stage.node.defaultChild as CfnStage).routeSettings = publicRoutes;
    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.apiEndpoint });
  }
}
