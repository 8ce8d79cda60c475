/**
 * The user's shell the e2e tests give npm start and the CLI (test/support/user-env.ts):
 * a developer's tracker, stand-in, CLI and AWS settings never reach them.
 */
import { describe, expect, it } from 'vitest';
import { userEnv } from '../support/user-env';

const DEVELOPER = {
  PATH: '/usr/bin',
  LANG: 'C.UTF-8',
  AWS_PROFILE: 'prod',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
  TRACKER_URL: 'https://tracker.example',
  PORT: '3000',
  NO_COLOR: '1',
  JUNCTION_WEBHOOK_SECRET: 'whsec_dev',
  JUNCTION_API_KEY: 'sk_dev',
  FHIR_BASE_URL: 'https://ehr.example/fhir',
  REDRAW_TRACKER_OWNER: 'dev',
  REDRAW_STALE_AFTER_DAYS: '2',
  RECONCILE_LOOKBACK_HOURS: '1',
  SYNC_LOOKBACK_HOURS: '1',
  FOLLOW_UP_ACK_HOURS: '1',
  SWEEP_INTERVAL_SECONDS: '5',
  SIMULATE_SEED: '3',
  RETENTION_DAYS: '7',
  DATA_DIR: '/tmp/data',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
  TABLE_NAME: 'dev-table',
  LOG_FORMAT: 'json',
  POWERTOOLS_LOG_LEVEL: 'DEBUG',
  ENVIRONMENT_NAME: 'dev',
  ALERT_TIMEZONE: 'Europe/Paris',
  DIGEST_TIMEZONE: 'Europe/Paris',
};

describe('userEnv', () => {
  it("keeps the shell's own variables and drops every tracker, stand-in, CLI and AWS setting of the developer's", () => {
    expect(userEnv({}, DEVELOPER)).toEqual({ PATH: '/usr/bin', LANG: 'C.UTF-8', AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  });

  it('sets what the test gives, over everything else', () => {
    const env = userEnv({ PORT: '4321', TABLE_NAME: 'e2e', AWS_EC2_METADATA_DISABLED: 'false' }, DEVELOPER);
    expect(env).toMatchObject({ PATH: '/usr/bin', PORT: '4321', TABLE_NAME: 'e2e', AWS_EC2_METADATA_DISABLED: 'false' });
    expect(env.FHIR_BASE_URL).toBeUndefined();
  });

  it("reads this process's environment by default", () => {
    expect(userEnv().PATH).toBe(process.env.PATH);
  });
});
