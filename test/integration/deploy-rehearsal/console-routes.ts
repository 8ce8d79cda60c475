/**
 * The deploy rehearsal (../deploy-rehearsal.test.ts): the console's JWT routes (CONTRACT §12) through the
 * same bundles: the pool and client the template gives them, API Gateway's right to invoke them, and what
 * a forged event (claims without a token, a token the pool did not issue for the console) gets: 401, and
 * no read or write.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { LOCAL_REGION } from '../../../local/dynamodb-local';
import { startCognitoStandin } from '../../support/cognito-standin';
import { queryEvent, resultOf } from '../../support/rehearsal/events';
import { isAllowed } from '../../support/rehearsal/iam';
import { ACCOUNT, type Deployed, type RehearsalStage, STACK } from '../../support/rehearsal/stage';

/** The console's routes, as a direct invocation could forge them. */
export function rehearseConsoleRoutes(stage: RehearsalStage): void {
  const { deploy } = stage;
  const { ids } = stage.story;
  /** The pool and client the template gives both functions (CONSOLE_USER_POOL_ID, CONSOLE_CLIENT_ID), as CloudFormation resolves them. */
  const signIn = () => {
    const query = stage.deployment.functions.find((candidate) => candidate.service === 'query')!;
    const pool = query.environment['CONSOLE_USER_POOL_ID'] ?? '';
    return { pool, clientId: query.environment['CONSOLE_CLIENT_ID'] ?? '', issuer: `https://cognito-idp.${LOCAL_REGION}.amazonaws.com/${pool}` };
  };
  /** An access token's claims as API Gateway's JWT authorizer puts them in the request context (strings; groups as `[a b]`): what a forged event writes. */
  const forgedClaims = (username: string, extra: Record<string, string> = {}): Record<string, string> => ({
    sub: randomUUID(),
    iss: signIn().issuer,
    client_id: signIn().clientId,
    token_use: 'access',
    scope: 'redraw-tracker/act',
    username,
    'cognito:groups': '[leads]',
    ...extra,
  });
  /** A request through a console route (`GET /api/...`, `POST /api/.../actions`) as a direct invocation can hand it over: any claims, any Authorization. */
  const consoleEvent = (
    routeKey: string,
    rawPath: string,
    claims: Record<string, string> | undefined,
    options: { pathParameters?: Record<string, string>; body?: unknown; authorization?: string } = {},
  ) => {
    const event = queryEvent(routeKey, rawPath, options.pathParameters);
    const method = routeKey.split(' ')[0] ?? 'GET';
    return {
      ...event,
      // What the request says about who it is counts for nothing on AWS.
      headers: {
        'x-redraw-actor': 'someone.else',
        ...(options.authorization === undefined ? {} : { authorization: options.authorization }),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body), isBase64Encoded: false }),
      requestContext: {
        ...event.requestContext,
        http: { ...event.requestContext.http, method },
        ...(claims === undefined ? {} : { authorizer: { jwt: { claims, scopes: claims['scope']?.split(' ') ?? [] } } }),
      },
    };
  };
  const answerOf = async (fn: Deployed, event: unknown) => {
    const answer = resultOf(await fn.fn.invoke(event), fn.fn.logs()) as { statusCode: number; body: string };
    return { status: answer.statusCode, body: JSON.parse(answer.body) as Record<string, unknown> };
  };
  const id = ids.transactionId;
  const actionRoute = 'POST /api/follow-ups/{follow_up_id}/actions';
  const actionEvent = (claims: Record<string, string> | undefined, body: unknown, authorization?: string) =>
    consoleEvent(actionRoute, `/api/follow-ups/${id}/actions`, claims, { pathParameters: { follow_up_id: id }, body, ...(authorization === undefined ? {} : { authorization }) });

  /**
   * Tokens the bundles refuse without fetching the pool's keys (the rehearsal has no Cognito to fetch them from):
   * an ID token of the pool, an access token of another client, another pool's, and what is no JWT.
   */
  const refusedTokens = async (): Promise<string[]> => {
    const { issuer, clientId } = signIn();
    const other = await startCognitoStandin({ clientId, redirectUris: ['http://127.0.0.1:1/'], allowedScopes: ['openid', 'redraw-tracker/act'], users: { maria: {} } });
    try {
      return [
        other.tokenFor('maria', { use: 'id', claims: { iss: issuer } }),
        other.tokenFor('maria', { clientId: 'another-client', claims: { iss: issuer } }),
        other.tokenFor('maria'),
        'chief.medical.officer',
      ].map((token) => `Bearer ${token}`);
    } finally {
      await other.stop();
    }
  };

  it('gives both bundles the pool and client of the template, which they accept at init', async () => {
    const { pool, clientId } = signIn();
    expect(pool).toMatch(new RegExp(`^${LOCAL_REGION}_[A-Za-z0-9]+$`));
    expect(clientId).toMatch(/^[A-Za-z0-9]+$/);
    for (const service of ['query', 'follow-up-actions']) {
      const fn = stage.deployment.functions.find((candidate) => candidate.service === service)!;
      expect([service, fn.environment['CONSOLE_USER_POOL_ID'], fn.environment['CONSOLE_CLIENT_ID']]).toEqual([service, pool, clientId]);
    }
  });

  it('lets API Gateway invoke both functions from the /api routes (their resource policies), as from the IAM routes', () => {
    // The API's id as the stage.deployment resolves it, from the synthesized template's one HTTP API.
    const template = stage.template(STACK);
    const apiIds = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::ApiGatewayV2::Api').map(([logicalId]) => logicalId);
    expect(apiIds).toHaveLength(1);
    const api = stage.deployment.resolve({ Ref: apiIds[0] });
    const route = (method: string, path: string) => `arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${String(api)}/$default/${method}${path}`;
    const invoke = (service: string, sourceArn: string) => {
      const fn = stage.deployment.functions.find((candidate) => candidate.service === service)!;
      return isAllowed({ principal: 'apigateway.amazonaws.com', action: 'lambda:InvokeFunction', resource: fn.arn, context: { 'aws:SourceArn': sourceArn } }, { identity: [], resource: stage.deployment.functionPolicies.get(fn.arn) ?? [] });
    };
    expect(invoke('follow-up-actions', route('POST', '/api/follow-ups/{follow_up_id}/actions'))).toBe(true);
    expect(invoke('follow-up-actions', route('POST', '/follow-ups/{follow_up_id}/actions'))).toBe(true);
    expect(invoke('follow-up-actions', route('GET', '/api/follow-ups'))).toBe(false);
    for (const path of ['/api/me', '/api/follow-ups/counts', '/api/follow-ups/{follow_up_id}', '/me']) expect(invoke('query', route('GET', path)), path).toBe(true);
  });

  it('query: refuses 401, reading nothing, a forged event on /api/me, /api/follow-ups/counts and /api/follow-ups/{id}: claims without a token, or with one that is not an access token of the pool and client', async () => {
    const query = await deploy('query');
    try {
      const reads = [
        ['GET /api/me', '/api/me', undefined],
        ['GET /api/follow-ups/counts', '/api/follow-ups/counts', undefined],
        ['GET /api/follow-ups/{follow_up_id}', `/api/follow-ups/${id}`, { follow_up_id: id }],
      ] as const;
      for (const [routeKey, rawPath, pathParameters] of reads) {
        for (const authorization of [undefined, ...(await refusedTokens())]) {
          const answer = await answerOf(query, consoleEvent(routeKey, rawPath, forgedClaims('chief.medical.officer'), { ...(pathParameters === undefined ? {} : { pathParameters }), ...(authorization === undefined ? {} : { authorization }) }));
          expect([routeKey, answer]).toEqual([routeKey, { status: 401, body: { error: { code: 'unauthorized', message: expect.any(String) } } }]);
        }
      }
      expect(query.proxy.calls).toEqual([]);
    } finally {
      await query.stop();
    }
  });

  it('follow-up-actions: refuses 401, writing nothing, a forged close as user:chief.medical.officer of the leads group, with or without a token the pool did not issue for the console', async () => {
    const actions = await deploy('follow-up-actions');
    try {
      for (const authorization of [undefined, ...(await refusedTokens())]) {
        const answer = await answerOf(actions, actionEvent(forgedClaims('chief.medical.officer'), { action: 'close', disposition: 'patient_declined' }, authorization));
        expect(answer).toEqual({ status: 401, body: { error: { code: 'unauthorized', message: expect.any(String) } } });
      }
      expect(actions.proxy.calls).toEqual([]);
    } finally {
      await actions.stop();
    }
  });

  it('follow-up-actions: the IAM route refuses a userArn that is not an ARN (user:..., tracker), writing nothing', async () => {
    const actions = await deploy('follow-up-actions');
    try {
      for (const userArn of ['user:chief.medical.officer', 'tracker', 'chat:C0123']) {
        const event = queryEvent('POST /follow-ups/{follow_up_id}/actions', `/follow-ups/${id}/actions`, { follow_up_id: id });
        const answer = await answerOf(actions, {
          ...event,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ action: 'close', disposition: 'patient_declined' }),
          isBase64Encoded: false,
          requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: 'POST' }, authorizer: { iam: { userArn } } },
        });
        expect([userArn, answer]).toEqual([userArn, { status: 403, body: { error: { code: 'forbidden', message: expect.any(String) } } }]);
      }
      expect(actions.proxy.calls).toEqual([]);
    } finally {
      await actions.stop();
    }
  });
}
