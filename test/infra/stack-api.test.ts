/**
 * The HTTP API: its routes and their authorization (the webhook's Svix signature, IAM elsewhere), the
 * functions behind them, the stage's throttling and its access logs.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStack, sharedStack, type BuiltStack } from './stack';

/** The booking's three reads (CONTRACT §14): GET on the IAM routes, to the query function, which asks Junction. */
const BOOKING_READS = ['GET /follow-ups/{follow_up_id}/booking/sites', 'GET /follow-ups/{follow_up_id}/booking/slots', 'GET /booking/cancellation-reasons'];

let built: BuiltStack;
beforeAll(() => {
  built = sharedStack();
}, 120_000);

describe('HTTP API', () => {
  it('leaves the webhook route without AWS authorization: the Svix signature authenticates it', () => {
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /webhooks/junction',
      AuthorizationType: 'NONE',
    });
  });

  it.each([
    'GET /orders/{order_id}',
    'GET /transactions/{transaction_id}',
    'GET /redraws',
    'GET /follow-ups',
    'GET /follow-ups/{follow_up_id}',
    'GET /follow-ups/counts',
    'GET /follow-ups/{follow_up_id}/stamp',
    'GET /reports/redraws',
    'GET /me',
    ...BOOKING_READS,
    'POST /follow-ups/{follow_up_id}/actions',
  ])(
    'requires IAM authorization on %s',
    (routeKey) => {
      built.template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey, AuthorizationType: 'AWS_IAM' });
    },
  );

  it("sends the follow-up reads and the booking's (CONTRACT §14) to the query function and the actions to the follow-up actions function", () => {
    const resources = built.template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
    const targetOf = (routeKey: string) => {
      const route = Object.values(resources).find((resource) => resource.Type === 'AWS::ApiGatewayV2::Route' && resource.Properties.RouteKey === routeKey)!;
      const integrationId = JSON.stringify(route.Properties.Target).match(/"Ref":"([^"]+)"/)![1]!;
      return JSON.stringify(resources[integrationId]!.Properties.IntegrationUri);
    };
    const fnId = (bound: { fn: { node: { defaultChild?: unknown } } }) => built.stack.getLogicalId(bound.fn.node.defaultChild as never);
    for (const routeKey of ['GET /follow-ups', 'GET /follow-ups/{follow_up_id}', 'GET /follow-ups/{follow_up_id}/stamp', 'GET /follow-ups/counts', 'GET /redraws', 'GET /reports/redraws', 'GET /me', ...BOOKING_READS]) expect(targetOf(routeKey)).toContain(fnId(built.stack.query));
    expect(targetOf('POST /follow-ups/{follow_up_id}/actions')).toContain(fnId(built.stack.followUpActions));
  });

  it('has no other routes: the IAM routes, the webhook, and the console\'s twins of the IAM routes under /api', () => {
    const routes = Object.values(built.template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route['Properties']['RouteKey'],
    );
    expect(routes.sort()).toEqual([
      'GET /api/booking/cancellation-reasons',
      'GET /api/follow-ups',
      'GET /api/follow-ups/counts',
      'GET /api/follow-ups/{follow_up_id}',
      'GET /api/follow-ups/{follow_up_id}/booking/sites',
      'GET /api/follow-ups/{follow_up_id}/booking/slots',
      'GET /api/follow-ups/{follow_up_id}/stamp',
      'GET /api/me',
      'GET /api/orders/{order_id}',
      'GET /api/redraws',
      'GET /api/reports/redraws',
      'GET /api/transactions/{transaction_id}',
      'GET /booking/cancellation-reasons',
      'GET /follow-ups',
      'GET /follow-ups/counts',
      'GET /follow-ups/{follow_up_id}',
      'GET /follow-ups/{follow_up_id}/booking/sites',
      'GET /follow-ups/{follow_up_id}/booking/slots',
      'GET /follow-ups/{follow_up_id}/stamp',
      'GET /me',
      'GET /orders/{order_id}',
      'GET /redraws',
      'GET /reports/redraws',
      'GET /transactions/{transaction_id}',
      'POST /api/follow-ups/{follow_up_id}/actions',
      'POST /follow-ups/{follow_up_id}/actions',
      'POST /webhooks/junction',
    ]);
  });

  it('gives the webhook route its own throttling and detailed metrics, apart from the stage default the query routes use', () => {
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      RouteSettings: {
        'POST /webhooks/junction': { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, DetailedMetricsEnabled: true },
      },
    });
    const tuned = buildStack({ settings: { webhookRateLimit: 200, webhookBurstLimit: 500, apiRateLimit: 10, apiBurstLimit: 20 } });
    tuned.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      RouteSettings: { 'POST /webhooks/junction': { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 500, DetailedMetricsEnabled: true } },
    });
    // The route settings name a route key: CloudFormation must create the route before the stage.
    const [stage] = Object.values(built.template.findResources('AWS::ApiGatewayV2::Stage'));
    const [routeId] = Object.entries(built.template.findResources('AWS::ApiGatewayV2::Route')).find(([, route]) => route['Properties']['RouteKey'] === 'POST /webhooks/junction')!;
    expect(stage!['DependsOn']).toContain(routeId);
  }, 120_000);

  it('throttles the default stage and writes access logs without bodies', () => {
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context\\.requestId') },
    });
    const stage = Object.values(built.template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    expect(JSON.stringify(stage)).not.toMatch(/requestBody|\$input|querystring/i);
  });
});
