import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Aws,
  type CfnElement,
  CfnOutput,
  type DefaultStackSynthesizer,
  Duration,
  Lazy,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { ConsoleAuth } from './api.ts';

const ROOT = join(import.meta.dirname, '..', '..');
export const CONSOLE_DIST = join(ROOT, 'web', 'dist');

export interface ConsoleHostingProps {
  /** The console's own domain (an alternate domain of the distribution), with its certificate. */
  domain?: { name: string; certificateArn: string } | undefined;
}

export interface ConsolePublishProps {
  apiUrl: string;
  /** OIDC endpoints for the console's sign-in (authorization code + PKCE). */
  auth?: ConsoleAuth | undefined;
  claims: { roles: string; tenant: string; email: string };
}

/**
 * CloudFront Function (viewer request): the page of an emailed link is the console's index.html,
 * at `/act` (links carry their token in the fragment, `/act#<token>`, which no browser sends)
 * and at `/act/<token>` (links mailed before, kept working; the page moves the token off the path).
 */
export const ACT_PAGE_FUNCTION =
  "function handler(event) { var request = event.request; request.uri = '/index.html'; return request; }";

/**
 * The page may talk to itself, the API and the identity provider's token endpoint — nothing
 * else: injected script could otherwise send a token anywhere. (Sign-in itself navigates to the
 * authorize URL, which `connect-src` does not govern.)
 */
export function consoleCsp(connectSources: string[]): string {
  const connect = ["'self'", ...connectSources];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * The one `connect-src` the page's own `<meta>` policy names: the exact API. The response header
 * cannot name it, because the API's CORS names the distribution (its default domain is the
 * console's origin) and the distribution carries the header: the header bounds connections to
 * the region's API Gateway hosts, and the page narrows them to the one API (both policies apply).
 */
export function consoleMetaCsp(props: Pick<ConsolePublishProps, 'apiUrl' | 'auth'>): string {
  return ["connect-src 'self'", props.apiUrl, ...(props.auth ? [props.auth.tokenUrl] : [])].join(' ');
}

/** The built index.html with the page's own connect-src, the first thing in its head. */
export function indexWithCsp(html: string, csp: string): string {
  const at = html.indexOf('<head>');
  if (at < 0) throw new Error('web/dist/index.html has no <head>');
  const meta = `<meta http-equiv="Content-Security-Policy" content="${csp}" />`;
  return `${html.slice(0, at + 6)}\n    ${meta}${html.slice(at + 6)}`;
}

/**
 * The admin console as static files: private S3 bucket behind CloudFront (origin access control).
 * Made before the API (the console's origin is its CORS origin and sign-in callback);
 * `publish` uploads it once the API and sign-in exist.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** Where the console is served: `https://<its domain>`, or the distribution's own domain. */
  readonly origin: string;
  private tokenUrl: string[] | undefined;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps = {}) {
    super(scope, id);
    const logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new Bucket(this, 'Assets', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: Lazy.string({
            produce: () => {
              if (!this.tokenUrl) throw new Error('ConsoleHosting: publish() was not called');
              return consoleCsp([`https://*.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`, ...this.tokenUrl]);
            },
          }),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
      },
    });
    const origin = S3BucketOrigin.withOriginAccessControl(this.bucket);
    // An emailed link's page, /act (and /act/<token> of older mails), is the console's own
    // page: the viewer request is answered with index.html, which reads the token from the
    // fragment (or moves it there from the path).
    const actPage = new CloudFrontFunction(this, 'ActPage', {
      comment: 'Serves the console for /act and /act/<token> (emailed one-click links)',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(ACT_PAGE_FUNCTION),
    });
    this.distribution = new Distribution(this, 'Cdn', {
      comment: `Support access console (${Stack.of(this).stackName})`,
      defaultRootObject: 'index.html',
      ...(props.domain
        ? {
            domainNames: [props.domain.name],
            // Only a certificate of our own has a choice: the default one is fixed at TLSv1.
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
            certificate: Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
          }
        : {}),
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cdn/',
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        responseHeadersPolicy: headers,
      },
      additionalBehaviors: Object.fromEntries(
        ['act', 'act/*'].map((pattern) => [
          pattern,
          {
            origin,
            viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
            responseHeadersPolicy: headers,
            functionAssociations: [{ function: actPage, eventType: FunctionEventType.VIEWER_REQUEST }],
          },
        ]),
      ),
    });
    this.origin = props.domain
      ? `https://${props.domain.name}`
      : `https://${this.distribution.distributionDomainName}`;
    new CfnOutput(this, 'ConsoleUrl', {
      value: this.origin,
      description: 'The console: sign in here; emailed links open its /act#<token> page',
    });
    new CfnOutput(this, 'ConsoleDistributionDomain', {
      value: this.distribution.distributionDomainName,
      description: 'Point the console domain (CNAME or alias record) here',
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'The console is used by customers worldwide; no geo restriction.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'Static files only; every request that matters goes to the API, which authenticates and throttles. WAF is left to the deploying team.',
    });
    if (!props.domain)
      Validations.of(this).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'The default CloudFront certificate allows TLSv1; a custom domain with its certificate (consoleDomain, TLSv1.2_2021 configured) removes this.',
      });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself.',
    });
  }

  /** Uploads the built console with its config.json, pointing at the API and the sign-in. */
  publish(props: ConsolePublishProps): void {
    this.tokenUrl = props.auth ? [props.auth.tokenUrl] : [];
    if (!existsSync(join(CONSOLE_DIST, 'index.html')))
      throw new Error(
        `${CONSOLE_DIST} is missing: build the console first (npm run build:web; npm run deploy does)`,
      );
    const index = readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8');
    new BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      distribution: this.distribution,
      sources: [
        Source.asset(CONSOLE_DIST, { exclude: ['index.html'] }),
        Source.data('index.html', indexWithCsp(index, consoleMetaCsp(props))),
        Source.jsonData('config.json', {
          apiUrl: props.apiUrl,
          auth: props.auth ? { mode: 'oidc', ...props.auth } : { mode: 'none' },
          claims: props.claims,
        }),
      ],
    });
    this.acknowledgeUploader();
  }

  /**
   * The upload runs in CDK's own BucketDeployment function (a stack-level singleton) with the
   * permissions CDK gives it; acknowledged there, finding by finding, and nowhere else.
   */
  private acknowledgeUploader(): void {
    const stack = Stack.of(this);
    const uploader = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!uploader) return;
    const qualifier = (stack.synthesizer as DefaultStackSynthesizer).bootstrapQualifier ?? 'hnb659fds';
    const bucketId = stack.getLogicalId(this.bucket.node.defaultChild as CfnElement);
    // cdk-nag names pseudo parameters <AWS::…>, and concrete values as they are.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const findings = [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      'Resource::*',
      `Resource::<${bucketId}.Arn>/*`,
      `Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-${account}-${region}/*`,
    ];
    for (const finding of findings) {
      Validations.of(uploader).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason:
          'CDK BucketDeployment: copies the built console from the CDK asset bucket into the console bucket and invalidates the distribution (CloudFront invalidation has no narrower resource).',
      });
    }
  }
}
