/**
 * The console on AWS (CONTRACT §12, issue 35): the built page in a private S3
 * bucket behind one CloudFront distribution (origin access control), the API
 * behind the same distribution under /api/* (so no CORS), and people signed in
 * by the stack's Cognito user pool: invited users only, MFA by authenticator
 * app, authorization code with PKCE on managed login. The console calls the
 * same functions through JWT-authorized routes of their own (`/api/...`): API
 * Gateway checks the token, and the functions verify it again themselves
 * against this pool and client (their CONSOLE_USER_POOL_ID and
 * CONSOLE_CLIENT_ID, set by the stack): the actor is `user:<username>` of the
 * verified token, never the claims in the request context
 * (functions/shared/access-token.ts). The IAM routes stay as they are for the CLI.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { HttpMethod, type HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  GeoRestriction,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClientIdentityProvider,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source, type ISource } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { CONSOLE_API_PREFIX } from '../functions/shared/actor';
import { CONSOLE_ACT_SCOPE, CONSOLE_ACTION_PATH, CONSOLE_BOOKING_READ_PATHS, CONSOLE_READ_PATHS, CONSOLE_RESOURCE_SERVER, consoleConfig, consoleContentSecurityPolicy } from './console-contract';

export { CONSOLE_ACT_SCOPE, CONSOLE_ACTION_PATH, CONSOLE_BOOKING_READ_PATHS, CONSOLE_READ_PATHS, CONSOLE_RESOURCE_SERVER, consoleConfig, consoleContentSecurityPolicy } from './console-contract';

export interface ConsoleSiteProps {
  api: HttpApi;
  query: IFunction;
  followUpActions: IFunction;
  /** The Cognito domain prefix of the sign-in pages (`<prefix>.auth.<region>.amazoncognito.com`): unique in the region. */
  domainPrefix: string;
  /** Cognito's feature plan: `essentials` (the default) or `plus`, with threat protection enforced. */
  tier: 'essentials' | 'plus';
  /** The Cognito group a console user needs to close or reopen; null: everyone signed in. */
  closeGroup: string | null;
  /** The Cognito group a console user needs to book (BOOKING_REQUIRES_GROUP, CONTRACT §14); null: none. */
  bookingGroup: string | null;
  /** Countries (ISO 3166-1 alpha-2) the console may be reached from; null: everywhere. */
  countries: readonly string[] | null;
  /** The built console (index.html, console/main.js, console/main.css); config.json is written beside it. */
  site: ISource;
  /** The deployment helper's log group: the stack's retention and its operations key, like every function's. */
  logRetention: RetentionDays;
  logKey: IKey;
}

export class ConsoleSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const logs = this.accessLogs();
    this.bucket = this.siteBucket(logs);
    const { userPool, domain, act } = this.signIn(props);
    this.userPool = userPool;
    this.domain = domain;
    const signInOrigin = this.domain.baseUrl();
    this.distribution = this.distributionOf(props, logs, signInOrigin);
    this.url = `https://${this.distribution.distributionDomainName}/`;
    this.acknowledgeDistribution(props.countries);
    this.client = this.appClient(act);
    this.addJwtRoutes(props);
    this.deployPage(props, signInOrigin);
    new CfnOutput(scope, 'ConsoleUrl', { value: this.url, description: 'The console (CONTRACT §12): invited users sign in here' });
    new CfnOutput(scope, 'ConsoleUserPoolId', { value: this.userPool.userPoolId, description: 'Invite people with aws cognito-idp admin-create-user (docs/deploy.md)' });
    new CfnOutput(scope, 'ConsoleSignInDomain', { value: signInOrigin });
  }

  /** The access-log bucket of the console bucket and the distribution. */
  private accessLogs(): Bucket {
    const logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront writes its standard logs with ACLs.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket of the console bucket and the distribution; logging it to itself would loop.' });
    return logs;
  }

  /** The private bucket the built page is served from (CloudFront's origin access control only). */
  private siteBucket(logs: Bucket): Bucket {
    return new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'site/',
      // The page is rebuilt by every deploy: nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
  }

  /**
   * The user pool: invited users only, MFA by authenticator app, managed login on its Cognito domain; the API's
   * resource server with the scope that acts on follow-ups, and the group that may close and reopen (if set).
   */
  private signIn(props: ConsoleSiteProps): { userPool: UserPool; domain: UserPoolDomain; act: OAuthScope } {
    const userPool = new UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      passwordPolicy: { minLength: 14, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      featurePlan: props.tier === 'plus' ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(props.tier === 'plus' ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      userInvitation: {
        emailSubject: 'Your redraw-tracker console account',
        emailBody: 'You were invited to the redraw-tracker console. Your username is {username} and your temporary password is {####}. Sign in at the console address your team gave you; you will set a password and an authenticator app.',
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (props.tier !== 'plus') {
      Validations.of(userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason: "Cognito's Essentials tier is the default (CONTRACT §12): invited users only, MFA required, a strong password policy. The setting consoleTier: plus selects the Plus tier with threat protection enforced.",
      });
    }
    const server = userPool.addResourceServer('Api', {
      identifier: CONSOLE_RESOURCE_SERVER,
      scopes: [new ResourceServerScope({ scopeName: CONSOLE_ACT_SCOPE, scopeDescription: 'Act on follow-ups (acknowledge, assign, snooze, record contact, close, reopen)' })],
    });
    const act = OAuthScope.resourceServer(server, new ResourceServerScope({ scopeName: CONSOLE_ACT_SCOPE, scopeDescription: 'Act on follow-ups' }));
    const domain = userPool.addDomain('SignIn', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
      managedLoginVersion: ManagedLoginVersion.CLASSIC_HOSTED_UI,
    });
    if (props.closeGroup !== null) {
      new CfnUserPoolGroup(this, 'CloseGroup', {
        userPoolId: userPool.userPoolId,
        groupName: props.closeGroup,
        description: 'Console users who may close and reopen follow-ups',
      });
    }
    if (props.bookingGroup !== null && props.bookingGroup !== props.closeGroup) {
      new CfnUserPoolGroup(this, 'BookingGroup', {
        userPoolId: userPool.userPoolId,
        groupName: props.bookingGroup,
        description: "Console users who may book, reschedule, cancel and record a redraw's draw (CONTRACT §14)",
      });
    }
    return { userPool, domain, act };
  }

  /** The distribution: the page from the bucket, and the HTTP API under /api/* (same origin, so no CORS). */
  private distributionOf(props: ConsoleSiteProps, logs: Bucket, signInOrigin: string): Distribution {
    const region = Stack.of(this).region;
    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'redraw-tracker console: strict CSP, HSTS, nosniff, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consoleContentSecurityPolicy(signInOrigin), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    return new Distribution(this, 'Distribution', {
      comment: 'redraw-tracker console',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      ...(props.countries === null ? {} : { geoRestriction: GeoRestriction.allowlist(...props.countries) }),
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      },
      additionalBehaviors: {
        // The HTTP API on the same origin: never cached, every viewer header but Host (execute-api answers 403 to a foreign Host).
        [`${CONSOLE_API_PREFIX}/*`]: {
          origin: new HttpOrigin(`${props.api.apiId}.execute-api.${region}.amazonaws.com`, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
        },
      },
    });
  }

  /** What cdk-nag finds in the distribution, acknowledged with the reason. */
  private acknowledgeDistribution(countries: readonly string[] | null): void {
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason: "The distribution uses CloudFront's default *.cloudfront.net certificate, which allows TLSv1; a custom domain with an ACM certificate in us-east-1 (TLSv1.2_2021) is the operator's choice, docs/deploy.md says how.",
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason: 'A CloudFront web ACL must live in us-east-1, outside this stack; every page request is static and every API request needs a Cognito token checked by API Gateway (and is throttled there). docs/deploy.md says how to attach one.',
    });
    if (countries === null) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR1',
        reason: 'The team may work from anywhere; the setting consoleCountries restricts the console to a list of countries.',
      });
    }
  }

  /** The page's app client: authorization code with PKCE on managed login, short-lived tokens. */
  private appClient(act: OAuthScope): UserPoolClient {
    return this.userPool.addClient('Console', {
      generateSecret: false,
      // Managed login only: no password or SRP flow from the page itself.
      authFlows: { userPassword: false, userSrp: false, custom: false, adminUserPassword: false },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [OAuthScope.OPENID, act],
        callbackUrls: [this.url],
        logoutUrls: [this.url],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // API Gateway's JWT authorizer checks a token offline: after a sign-out (or a disabled user) an access
      // token stays good until it expires, so it lives 15 minutes; the page renews it unseen with the refresh token.
      accessTokenValidity: Duration.minutes(15),
      idTokenValidity: Duration.minutes(15),
      refreshTokenValidity: Duration.hours(12),
    });
  }

  /** The console's JWT routes: the same functions as the IAM routes. */
  private addJwtRoutes(props: ConsoleSiteProps): void {
    // Defence in depth: API Gateway's JWT authorizer refuses a bad token before the function runs; the
    // functions verify it again, because anyone allowed lambda:InvokeFunction can skip API Gateway.
    const authorizer = new HttpUserPoolAuthorizer('ConsoleAuthorizer', this.userPool, { userPoolClients: [this.client] });
    const reads = new HttpLambdaIntegration('ConsoleQueryIntegration', props.query);
    for (const path of [...CONSOLE_READ_PATHS, ...CONSOLE_BOOKING_READ_PATHS]) {
      props.api.addRoutes({ path: `${CONSOLE_API_PREFIX}${path}`, methods: [HttpMethod.GET], integration: reads, authorizer });
    }
    props.api.addRoutes({
      path: `${CONSOLE_API_PREFIX}${CONSOLE_ACTION_PATH}`,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('ConsoleActionsIntegration', props.followUpActions),
      authorizer,
      authorizationScopes: [`${CONSOLE_RESOURCE_SERVER}/${CONSOLE_ACT_SCOPE}`],
    });
  }

  /** The page and its config.json, copied into the bucket by CDK's BucketDeployment at each deploy. */
  private deployPage(props: ConsoleSiteProps, signInOrigin: string): void {
    // The helper's own log group (encrypted, the stack's retention, kept on a teardown like every
    // function's), instead of the never-expiring /aws/lambda/... group Lambda would create itself.
    const deployLogs = new LogGroup(this, 'DeployLogs', { retention: props.logRetention, encryptionKey: props.logKey });
    new BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [
        props.site,
        Source.jsonData('config.json', consoleConfig({ signInOrigin, clientId: this.client.userPoolClientId, url: this.url })),
      ],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      // A teardown deletes the page it uploaded, so that CloudFormation can delete the (then empty) bucket.
      retainOnDelete: false,
      memoryLimit: 256,
      logGroup: deployLogs,
    });
    this.acknowledgeDeployHelper();
  }

  /** What cdk-nag finds in CDK's own BucketDeployment helper, acknowledged with the reason. */
  private acknowledgeDeployHelper(): void {
    // The deployment's helper function is a singleton at the stack's root (one per stack and memory size).
    const helper = Stack.of(this).node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (helper === undefined) throw new Error("BucketDeployment's helper function was not found");
    const copy = "CDK's BucketDeployment helper copies the built page from the stack's asset bucket into the console bucket and invalidates the distribution";
    Validations.of(helper).acknowledge(
      { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: `${copy}; AWSLambdaBasicExecutionRole lets it write its own logs. It holds no table, key or secret grant.` },
      ...['Action::s3:Abort*', 'Action::s3:DeleteObject*', 'Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*', 'Resource::*', `Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*`].map((what) => ({
        id: `AwsSolutions-IAM5[${what}]`,
        reason: `${copy}: aws-cdk-lib writes these object wildcards on the two buckets (and cloudfront:CreateInvalidation on *, which has no resource form); nothing else.`,
      })),
      { id: 'AwsSolutions-L1', reason: `${copy}; its runtime is chosen by aws-cdk-lib, not by this stack.` },
    );
    // The asset bucket's wildcard carries the account and region of the synthesis (literal when the stack has an env).
    const account = Stack.of(this).account;
    const assetAccount = Token.isUnresolved(account) ? '<AWS::AccountId>' : account;
    const region = Stack.of(this).region;
    const assetRegion = Token.isUnresolved(region) ? '<AWS::Region>' : region;
    Validations.of(helper).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${assetAccount}-${assetRegion}/*]`,
      reason: `${copy}: it reads the page from the CDK asset bucket.`,
    });
  }
}
