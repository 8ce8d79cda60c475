/**
 * The console on AWS (CONTRACT §12): the JWT routes and their authorizer, the Cognito user pool and its
 * client, the private bucket behind CloudFront, the response headers, the page's config.json, and none
 * of it with `console: false`. This file builds its own stack (not ./stack.ts sharedStack): one test
 * reads the page's config.json from the stack's assembly folder, which the shared stack's is not kept for.
 */
import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConsoleConfig } from '../../console/src/lib/sign-in';
import { CONSOLE_ACTION_PATH, CONSOLE_BOOKING_READ_PATHS, CONSOLE_READ_PATHS, consoleContentSecurityPolicy } from '../../lib/console';
import { BOOKING_SETTINGS, buildStack, sharedStack, type BuiltStack } from './stack';

let built: BuiltStack;
beforeAll(() => {
  built = buildStack();
}, 120_000);

describe('the console on AWS (CONTRACT §12)', () => {
  /** A resource of the template, as the assertions library types it (loosely: each property is checked below). */
  type Resource = ReturnType<Template['findResources']>[string];
  const resources = () => built.template.toJSON().Resources as Record<string, Resource>;
  const only = (type: string): [string, Resource] => {
    const found = Object.entries(resources()).filter(([, r]) => r.Type === type);
    expect(found, type).toHaveLength(1);
    return found[0]!;
  };
  const routes = () => Object.values(resources()).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
  const consoleRoutes = () => routes().filter((r) => String(r.Properties['RouteKey']).split(' ')[1]!.startsWith('/api/'));
  const integrationOf = (route: Resource) => resources()[JSON.stringify(route.Properties['Target']).match(/"Ref":"([^"]+)"/)![1]!]!;
  const fnId = (bound: { fn: { node: { defaultChild?: unknown } } }) => built.stack.getLogicalId(bound.fn.node.defaultChild as never);

  it('puts a JWT authorizer on every /api route, the user pool\'s issuer with the console client as audience, and IAM on every other route but the webhook', () => {
    const [authorizerId, authorizer] = only('AWS::ApiGatewayV2::Authorizer');
    const [poolId] = only('AWS::Cognito::UserPool');
    const [clientId] = only('AWS::Cognito::UserPoolClient');
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [{ Ref: clientId }], Issuer: { 'Fn::Join': ['', ['https://cognito-idp.eu-west-1.amazonaws.com/', { Ref: poolId }]] } },
    });
    expect(consoleRoutes()).toHaveLength(CONSOLE_READ_PATHS.length + CONSOLE_BOOKING_READ_PATHS.length + 1);
    for (const route of consoleRoutes()) {
      expect(route.Properties, route.Properties['RouteKey']).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    }
    for (const route of routes().filter((r) => !consoleRoutes().includes(r) && r.Properties['RouteKey'] !== 'POST /webhooks/junction')) {
      expect(route.Properties['AuthorizationType'], route.Properties['RouteKey']).toBe('AWS_IAM');
      expect(route.Properties['AuthorizerId']).toBeUndefined();
    }
  });

  it('requires the redraw-tracker/act scope on the console\'s action route, and no scope on its reads', () => {
    const action = consoleRoutes().find((r) => r.Properties['RouteKey'] === `POST /api${CONSOLE_ACTION_PATH}`)!;
    expect(action.Properties['AuthorizationScopes']).toEqual(['redraw-tracker/act']);
    for (const read of consoleRoutes().filter((r) => r !== action)) expect(read.Properties['AuthorizationScopes']).toBeUndefined();
    // The scope exists on the pool's resource server, and the client may ask for it.
    expect(only('AWS::Cognito::UserPoolResourceServer')[1].Properties).toMatchObject({ Identifier: 'redraw-tracker', Scopes: [{ ScopeName: 'act' }] });
  });

  it('sends the console\'s reads to the query function and its actions to the follow-up actions function: the same functions as the IAM routes', () => {
    for (const route of consoleRoutes()) {
      const target = JSON.stringify(integrationOf(route).Properties['IntegrationUri']);
      expect(target, route.Properties['RouteKey']).toContain(route.Properties['RouteKey'].startsWith('POST') ? fnId(built.stack.followUpActions) : fnId(built.stack.query));
    }
  });

  it("routes the booking's three reads (CONTRACT §14) under /api to the query function with the JWT authorizer and no scope of the route's own: the function checks `act` itself", () => {
    const [authorizerId] = only('AWS::ApiGatewayV2::Authorizer');
    const reads = ['GET /api/follow-ups/{follow_up_id}/booking/sites', 'GET /api/follow-ups/{follow_up_id}/booking/slots', 'GET /api/booking/cancellation-reasons'];
    for (const routeKey of reads) {
      const route = consoleRoutes().find((r) => r.Properties['RouteKey'] === routeKey);
      expect(route, routeKey).toBeDefined();
      expect(route!.Properties, routeKey).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
      expect(route!.Properties['AuthorizationScopes'], routeKey).toBeUndefined();
      expect(JSON.stringify(integrationOf(route!).Properties['IntegrationUri']), routeKey).toContain(fnId(built.stack.query));
    }
  });

  it('has a user pool of invited users only, MFA required by authenticator app only, a strong password policy, deletion protection, on Essentials by default', () => {
    const [, pool] = only('AWS::Cognito::UserPool');
    expect(pool.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: { MinimumLength: 14, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
      DeletionProtection: 'ACTIVE',
      UserPoolTier: 'ESSENTIALS',
    });
    expect(pool.Properties['UserPoolAddOns']).toBeUndefined();
    expect(pool.DeletionPolicy).toBe('Retain');
  });

  it('with consoleTier plus, is on the Plus tier with threat protection enforced', () => {
    const plus = buildStack({ settings: { consoleTier: 'plus' } });
    plus.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      MfaConfiguration: 'ON',
    });
  }, 120_000);

  it('has a public client for the authorization code grant only (implicit and client credentials off), no secret, no password flows, callback and logout the distribution\'s URL', () => {
    const [, client] = only('AWS::Cognito::UserPoolClient');
    const [distributionId] = only('AWS::CloudFront::Distribution');
    const url = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/']] };
    expect(client.Properties).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: [url],
      LogoutURLs: [url],
      EnableTokenRevocation: true,
    });
    expect(client.Properties['AllowedOAuthScopes']).toHaveLength(2);
    expect(client.Properties['AllowedOAuthScopes'][0]).toBe('openid');
    expect(JSON.stringify(client.Properties['AllowedOAuthScopes'][1])).toContain('/act');
    // Access tokens live 15 minutes: API Gateway checks them offline, so one stays good after a sign-out until then; the page renews it unseen.
    expect(client.Properties).toMatchObject({
      AccessTokenValidity: 15,
      IdTokenValidity: 15,
      RefreshTokenValidity: 720,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    });
    built.template.hasOutput('ConsoleUrl', { Value: url });
  });

  it('keeps the page in a private bucket: public access blocked, TLS only, access logs, readable by this distribution alone', () => {
    const blocked = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };
    const buckets = Object.entries(resources()).filter(([, r]) => r.Type === 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    const [siteId, site] = buckets.find(([, r]) => r.Properties['LoggingConfiguration'] !== undefined)!;
    const [logsId, logs] = buckets.find(([id]) => id !== siteId)!;
    expect(site.Properties).toMatchObject({ PublicAccessBlockConfiguration: blocked, LoggingConfiguration: { DestinationBucketName: { Ref: logsId } } });
    expect(logs.Properties).toMatchObject({ PublicAccessBlockConfiguration: blocked, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] } });
    const policies = Object.values(resources()).filter((r) => r.Type === 'AWS::S3::BucketPolicy');
    for (const id of [siteId, logsId]) {
      const policy = policies.find((p) => JSON.stringify(p.Properties['Bucket']) === JSON.stringify({ Ref: id }))!;
      expect(policy.Properties['PolicyDocument']['Statement']).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    }
    // Only CloudFront, for this distribution, may read the page (origin access control).
    const [distributionId] = only('AWS::CloudFront::Distribution');
    const allows = policies.find((p) => JSON.stringify(p.Properties['Bucket']) === JSON.stringify({ Ref: siteId }))!.Properties['PolicyDocument']['Statement'].filter((s: { Effect: string }) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } });
    expect(JSON.stringify(allows[0].Condition)).toContain(`{"Ref":"${distributionId}"}`);
  });

  it('serves the page through origin access control with index.html as root, and /api/* from the HTTP API uncached with every viewer header but Host', () => {
    const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
    const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
    const [, distribution] = only('AWS::CloudFront::Distribution');
    const [oacId, oac] = only('AWS::CloudFront::OriginAccessControl');
    const config = distribution.Properties['DistributionConfig'];
    expect(oac.Properties['OriginAccessControlConfig']).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.Logging).toMatchObject({ Prefix: 'cloudfront/' });
    const s3Origin = config.Origins.find((o: Record<string, unknown>) => o['S3OriginConfig'] !== undefined);
    expect(s3Origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    expect(s3Origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(config.DefaultCacheBehavior).toMatchObject({ TargetOriginId: s3Origin.Id, ViewerProtocolPolicy: 'redirect-to-https' });
    expect(config.CacheBehaviors).toHaveLength(1);
    const [api] = config.CacheBehaviors;
    const apiOrigin = config.Origins.find((o: { Id: string }) => o.Id === api.TargetOriginId);
    expect(api).toMatchObject({ PathPattern: '/api/*', CachePolicyId: CACHING_DISABLED, OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER, ViewerProtocolPolicy: 'https-only' });
    expect(api.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(apiOrigin).toMatchObject({ CustomOriginConfig: { OriginProtocolPolicy: 'https-only' } });
    expect(apiOrigin.DomainName).toEqual({ 'Fn::Join': ['', [{ Ref: built.stack.getLogicalId(built.stack.api.node.defaultChild as CfnElement) }, '.execute-api.eu-west-1.amazonaws.com']] });
  });

  it('answers every page and API response with a CSP without unsafe-inline whose connect-src is only the page\'s origin and the sign-in domain, HSTS, nosniff, DENY and no-referrer', () => {
    const [policyId, policy] = only('AWS::CloudFront::ResponseHeadersPolicy');
    const [domainId] = only('AWS::Cognito::UserPoolDomain');
    const headers = policy.Properties['ResponseHeadersPolicyConfig']['SecurityHeadersConfig'];
    const csp = headers.ContentSecurityPolicy.ContentSecurityPolicy;
    expect(csp).toEqual({ 'Fn::Join': ['', [expect.any(String), { Ref: domainId }, expect.any(String)]] });
    const text = csp['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : '<domain>')).join('');
    expect(text).toBe(consoleContentSecurityPolicy('https://<domain>.auth.eu-west-1.amazoncognito.com'));
    expect(text).not.toContain('unsafe-inline');
    expect(text).not.toContain('unsafe-eval');
    const directives = new Map(text.split('; ').map((d: string) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives.get('connect-src')).toEqual(["'self'", 'https://<domain>.auth.eu-west-1.amazoncognito.com']);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(headers).toMatchObject({
      ContentSecurityPolicy: { Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
    const config = only('AWS::CloudFront::Distribution')[1].Properties['DistributionConfig'];
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    expect(config.CacheBehaviors[0].ResponseHeadersPolicyId).toEqual({ Ref: policyId });
  });

  it('uploads the page with a config.json, deletes it on a teardown, and outputs the console URL, the pool id and the sign-in domain', () => {
    const [, deployment] = only('Custom::CDKBucketDeployment');
    expect(deployment.Properties['RetainOnDelete']).toBe(false);
    expect(deployment.Properties['Prune']).toBe(true);
    expect(deployment.Properties['DistributionPaths']).toEqual(['/*']);
    expect(Object.keys(built.template.toJSON().Outputs)).toEqual(expect.arrayContaining(['ConsoleUrl', 'ConsoleUserPoolId', 'ConsoleSignInDomain']));
    built.template.hasOutput('ConsoleUserPoolId', { Value: { Ref: only('AWS::Cognito::UserPool')[0] } });
  });

  it('writes a config.json the page accepts: the API under /api/, the sign-in domain, the client and the console URL as its redirect', () => {
    const [, deployment] = only('Custom::CDKBucketDeployment');
    const keys = deployment.Properties['SourceObjectKeys'] as string[];
    const markers = deployment.Properties['SourceMarkers'] as Record<string, unknown>[];
    const index = markers.findIndex((marker) => Object.keys(marker).length > 0);
    const file = readFileSync(join(built.app.outdir, `asset.${keys[index]!.replace(/\.zip$/, '')}`, 'config.json'), 'utf8');
    // Deploy-time values, as CloudFormation would resolve them.
    const [domainId] = only('AWS::Cognito::UserPoolDomain');
    const [clientId] = only('AWS::Cognito::UserPoolClient');
    const [distributionId] = only('AWS::CloudFront::Distribution');
    const values = new Map<string, string>([
      [JSON.stringify({ Ref: domainId }), 'redraw-tracker-123456789012'],
      [JSON.stringify({ Ref: clientId }), 'client0id'],
      [JSON.stringify({ 'Fn::GetAtt': [distributionId, 'DomainName'] }), 'd111111abcdef8.cloudfront.net'],
    ]);
    let resolved = file;
    for (const [marker, value] of Object.entries(markers[index]!)) {
      const known = values.get(JSON.stringify(value));
      if (known === undefined) throw new Error(`config.json has an unexpected deploy-time value: ${JSON.stringify(value)}`);
      resolved = resolved.replaceAll(marker, known);
    }
    expect(parseConsoleConfig(JSON.parse(resolved), 'https://d111111abcdef8.cloudfront.net')).toEqual({
      api: '/api/',
      auth: {
        domain: 'https://redraw-tracker-123456789012.auth.eu-west-1.amazoncognito.com',
        clientId: 'client0id',
        scopes: 'openid redraw-tracker/act',
        redirectUri: 'https://d111111abcdef8.cloudfront.net/',
      },
    });
  });

  it('gives the actions function CLOSE_REQUIRES_GROUP only with consoleCloseGroup, and creates that group in the pool', () => {
    const env = (of: BuiltStack) => (of.template.toJSON().Resources[fnId(of.stack.followUpActions)].Properties.Environment.Variables as Record<string, string>);
    expect(env(built)['CLOSE_REQUIRES_GROUP']).toBeUndefined();
    built.template.resourceCountIs('AWS::Cognito::UserPoolGroup', 0);
    const leads = buildStack({ settings: { consoleCloseGroup: 'leads' } });
    expect(env(leads)['CLOSE_REQUIRES_GROUP']).toBe('leads');
    leads.template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'leads' });
  }, 120_000);

  it('gives the actions function BOOKING_REQUIRES_GROUP only with consoleBookingGroup, and creates that group in the pool once, the close group\'s too when they are one (CONTRACT §14)', () => {
    const env = (of: BuiltStack) => (of.template.toJSON().Resources[of.stack.getLogicalId(of.stack.followUpActions.fn.node.defaultChild as CfnElement)].Properties.Environment.Variables as Record<string, string>);
    expect(env(built)['BOOKING_REQUIRES_GROUP']).toBeUndefined();
    const schedulers = sharedStack(BOOKING_SETTINGS);
    expect(env(schedulers)).toMatchObject({ BOOKING_REQUIRES_GROUP: 'schedulers' });
    expect(env(schedulers)['CLOSE_REQUIRES_GROUP']).toBeUndefined();
    schedulers.template.resourceCountIs('AWS::Cognito::UserPoolGroup', 1);
    schedulers.template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'schedulers' });
    // One group for both: two resources of one name would fail the deploy.
    const leads = buildStack({ settings: { consoleCloseGroup: 'leads', consoleBookingGroup: 'leads' } });
    expect(env(leads)).toMatchObject({ CLOSE_REQUIRES_GROUP: 'leads', BOOKING_REQUIRES_GROUP: 'leads' });
    leads.template.resourceCountIs('AWS::Cognito::UserPoolGroup', 1);
    leads.template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'leads' });
  }, 120_000);

  it('gives the sweep and the digest CONSOLE_URL, the distribution\'s URL (ConsoleUrl): alerts and digests link to the console', () => {
    const [distributionId] = only('AWS::CloudFront::Distribution');
    const url = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/']] };
    const env = (bound: { fn: { node: { defaultChild?: unknown } } }) => resources()[fnId(bound)]!.Properties['Environment']['Variables'] as Record<string, unknown>;
    expect(env(built.stack.staleRedrawSweep)['CONSOLE_URL']).toEqual(url);
    expect(env(built.stack.weeklyDigest!.function)['CONSOLE_URL']).toEqual(url);
    // The very value of the ConsoleUrl output, and no other function gets it.
    built.template.hasOutput('ConsoleUrl', { Value: url });
    const withIt = Object.entries(resources()).filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties['Environment']?.['Variables']?.['CONSOLE_URL'] !== undefined);
    expect(withIt.map(([id]) => id).sort()).toEqual([fnId(built.stack.staleRedrawSweep), fnId(built.stack.weeklyDigest!.function)].sort());
  });

  it('gives the query and actions functions the console pool and app client their access tokens must come from, and no other function', () => {
    const [poolId] = only('AWS::Cognito::UserPool');
    const [clientId] = only('AWS::Cognito::UserPoolClient');
    const env = (bound: { fn: { node: { defaultChild?: unknown } } }) => resources()[fnId(bound)]!.Properties['Environment']['Variables'] as Record<string, unknown>;
    for (const bound of [built.stack.query, built.stack.followUpActions]) {
      expect(env(bound)).toMatchObject({ CONSOLE_USER_POOL_ID: { Ref: poolId }, CONSOLE_CLIENT_ID: { Ref: clientId } });
    }
    const withIt = Object.entries(resources()).filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties['Environment']?.['Variables']?.['CONSOLE_USER_POOL_ID'] !== undefined);
    expect(withIt.map(([id]) => id).sort()).toEqual([fnId(built.stack.query), fnId(built.stack.followUpActions)].sort());
  });

  it('with console false, deploys none of it: no Cognito, CloudFront or S3 resource, no /api route, no JWT authorizer, no deployment helper', () => {
    const off = buildStack({ settings: { console: false, consoleCloseGroup: 'leads', consoleBookingGroup: 'schedulers' } });
    const types = Object.values(off.template.toJSON().Resources as Record<string, Resource>).map((r) => r.Type);
    expect(types.filter((type) => /^AWS::(Cognito|CloudFront|S3)::/.test(type) || type === 'Custom::CDKBucketDeployment' || type === 'AWS::ApiGatewayV2::Authorizer')).toEqual([]);
    const keys = Object.values(off.template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r['Properties']['RouteKey'] as string);
    expect(keys.filter((key) => key.includes('/api/'))).toEqual([]);
    // The IAM routes (with the booking's three reads, CONTRACT §14, and the page's stamp, §12) and the webhook.
    expect(keys).toHaveLength(14);
    expect(Object.keys(off.template.toJSON().Outputs).filter((name) => name.startsWith('Console'))).toEqual([]);
    // Every function is the tracker's own (no CDK helper), and neither group setting reaches anything.
    const fns = Object.values(off.template.findResources('AWS::Lambda::Function'));
    for (const fn of fns) expect(fn['Properties']['Environment']['Variables']['POWERTOOLS_SERVICE_NAME']).toEqual(expect.any(String));
    expect(JSON.stringify(off.template.toJSON())).not.toContain('CLOSE_REQUIRES_GROUP');
    expect(JSON.stringify(off.template.toJSON())).not.toContain('BOOKING_REQUIRES_GROUP');
    expect(JSON.stringify(off.template.toJSON())).not.toContain('schedulers');
    // No console, no links: neither the sweep nor the digest gets CONSOLE_URL.
    expect(off.stack.weeklyDigest).not.toBeNull();
    expect(JSON.stringify(off.template.toJSON())).not.toContain('CONSOLE_URL');
    // No pool to verify a console token against: both functions are told so (and would refuse any console request 401).
    for (const bound of [off.stack.query, off.stack.followUpActions]) {
      const variables = off.template.toJSON().Resources[fnId(bound)].Properties.Environment.Variables as Record<string, unknown>;
      expect(variables).toMatchObject({ CONSOLE_USER_POOL_ID: 'none', CONSOLE_CLIENT_ID: 'none' });
    }
  }, 120_000);
});
