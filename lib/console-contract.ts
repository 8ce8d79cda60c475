/**
 * What the console on AWS and the stack agree on (CONTRACT §12, issue 35), with
 * no CDK import: the JWT routes, the scope an action needs, the page's
 * Content-Security-Policy and its config.json. lib/console.ts deploys them; the
 * browser test's stand-in for CloudFront and API Gateway serves the very same
 * (test/support/console-gateway.ts), and the console parses config.json with
 * console/src/lib/sign-in.ts.
 */
import { CONSOLE_ACT_SCOPE, CONSOLE_RESOURCE_SERVER } from '../functions/shared/access-token';
import { CONSOLE_API_PREFIX } from '../functions/shared/actor';

/** The API's routes the console reads (GET), as the IAM API has them; each gets a JWT twin under /api. */
export const CONSOLE_READ_PATHS = ['/me', '/follow-ups', '/follow-ups/counts', '/follow-ups/{follow_up_id}', '/follow-ups/{follow_up_id}/stamp', '/orders/{order_id}', '/transactions/{transaction_id}', '/redraws', '/reports/redraws'] as const;
/** The booking's reads (CONTRACT §14): the query function's, the `act` scope checked by the function itself. */
export const CONSOLE_BOOKING_READ_PATHS = ['/follow-ups/{follow_up_id}/booking/sites', '/follow-ups/{follow_up_id}/booking/slots', '/booking/cancellation-reasons'] as const;
/** The route that changes a follow-up; it requires the `act` scope (API Gateway checks it, and the function again). */
export const CONSOLE_ACTION_PATH = '/follow-ups/{follow_up_id}/actions';
/** The resource server's identifier and the scope an action needs (`redraw-tracker/act`): the actions function's own (functions/shared/access-token.ts). */
export { CONSOLE_ACT_SCOPE, CONSOLE_RESOURCE_SERVER };
/** The scopes the console asks for: OpenID (Cognito's ID token) and acting on follow-ups. */
export const CONSOLE_SCOPES = `openid ${CONSOLE_RESOURCE_SERVER}/${CONSOLE_ACT_SCOPE}`;

/**
 * The page's Content-Security-Policy on AWS: nothing but its own origin (the API
 * is on it too) and the sign-in domain's token and revoke endpoints (CONTRACT §12).
 */
export function consoleContentSecurityPolicy(signInOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${signInOrigin}`,
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The console's config.json on AWS: where its API is, and how it signs people in. */
export interface ConsoleConfig {
  /** The API's base on the page's own origin. */
  api: string;
  auth: {
    /** The sign-in domain's origin (managed login): /oauth2/authorize, /oauth2/token, /oauth2/revoke, /logout. */
    domain: string;
    /** The public app client (no secret): authorization code with PKCE only. */
    clientId: string;
    /** The scopes asked for, space-separated. */
    scopes: string;
    /** The callback and sign-out URL registered on the client: the console's own URL, exactly. */
    redirectUri: string;
  };
}

/** config.json as the stack writes it beside the page (values may be deploy-time tokens there). */
export function consoleConfig(options: { signInOrigin: string; clientId: string; url: string }): ConsoleConfig {
  return {
    api: `${CONSOLE_API_PREFIX}/`,
    auth: { domain: options.signInOrigin, clientId: options.clientId, scopes: CONSOLE_SCOPES, redirectUri: options.url },
  };
}
