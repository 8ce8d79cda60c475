/**
 * The CDK app: settings from cdk.json context (validated before anything is
 * built), one stack, and cdk-nag's AwsSolutions pack as a validation plugin, so
 * synthesis fails on any finding that is not acknowledged with a reason.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RedrawTrackerStack } from './redraw-tracker-stack';
import { readSettings } from './settings';

/** The stack's construct id (and CloudFormation stack name). */
export const STACK_NAME = 'RedrawTracker';

/** Builds the app; the CDK CLI runs it through bin/app.ts, tests call it with their own context. */
export function createApp(props: AppProps = {}): { app: App; stack: RedrawTrackerStack } {
  const app = new App(props);
  const settings = readSettings(app);
  const stack = new RedrawTrackerStack(app, STACK_NAME, {
    settings,
    description: 'redraw-tracker: Junction lab orders and redraws from signed webhooks',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
