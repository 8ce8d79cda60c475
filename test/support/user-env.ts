/**
 * The environment of a user's shell for end-to-end tests: this process's,
 * minus every setting a developer may have exported for the tracker, the CLI,
 * the stand-ins or AWS (so a test reads npm start's defaults, whatever the
 * machine), plus what the test sets. What `npm start`, `npm run`, the CLI and
 * `sh -c` are given in test/e2e.
 */

/**
 * The variables a developer's shell may hold that would change what a test
 * sees: AWS (credentials, endpoints, region: nothing may reach AWS), the
 * tracker's settings (README.md, docs/local.md), the simulator's, the
 * stand-ins', the CLI's (TRACKER_URL, REDRAW_TRACKER_OWNER, NO_COLOR) and the
 * logs' format.
 */
const USER_SETTINGS =
  /^(AWS_.*|TRACKER_URL|PORT|NO_COLOR|JUNCTION_.*|FHIR_.*|SIMULATE_SEED|REDRAW_.*|RECONCILE_.*|SYNC_.*|FOLLOW_UP_.*|RETENTION_DAYS|SWEEP_.*|DATA_DIR|DYNAMODB_ENDPOINT|TABLE_NAME|LOG_FORMAT|POWERTOOLS_.*|ENVIRONMENT_NAME|ALERT_TIMEZONE|DIGEST_TIMEZONE)$/;

/** `parent` without USER_SETTINGS, with nothing looking for AWS credentials on a metadata endpoint, plus `extra`. */
export function userEnv(extra: NodeJS.ProcessEnv = {}, parent: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(parent)) {
    if (!USER_SETTINGS.test(name)) env[name] = value;
  }
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
}
