/**
 * The deploy rehearsal (../deploy-rehearsal.test.ts) checks itself: with a grant taken out of the template
 * (an IAM action, a condition's partitions, a key policy's statement), the function is refused as IAM and
 * KMS would refuse it.
 */
import { expect, it } from 'vitest';
import { resultOf } from '../../support/rehearsal/events';
import { type RehearsalStage, WEBHOOK_SECRET } from '../../support/rehearsal/stage';
import { signedEvent } from '../../support/webhook';

/** The rehearsal fails when the template misses a grant. */
export function rehearseMissingGrants(stage: RehearsalStage): void {
  const { deploy, deploymentOf } = stage;
  const { deliveries } = stage.story;
  it('fails when a grant is missing: without dynamodb:PutItem the webhook is refused and answers 503', async () => {
    const withoutPut = deploymentOf(stage.streamArn, (template) => {
      for (const resource of Object.values(template.Resources)) {
        if (resource.Type !== 'AWS::IAM::Policy') continue;
        const document = (resource.Properties as { PolicyDocument: { Statement: { Action: unknown }[] } }).PolicyDocument;
        // The action goes, alone or from a list (the webhook's grant is PutItem and UpdateItem).
        document.Statement = document.Statement.flatMap((statement) => {
          if (statement.Action === 'dynamodb:PutItem') return [];
          if (Array.isArray(statement.Action)) return [{ ...statement, Action: statement.Action.filter((action) => action !== 'dynamodb:PutItem') }];
          return [statement];
        });
      }
    });
    const webhook = await deploy('webhook', { WebhookSecret: WEBHOOK_SECRET }, withoutPut);
    try {
      const [first] = deliveries;
      const answer = resultOf(await webhook.fn.invoke(signedEvent(JSON.stringify(first?.body), { secret: WEBHOOK_SECRET })), webhook.fn.logs());
      expect(answer).toMatchObject({ statusCode: 503 });
      expect(webhook.proxy.denials).toContainEqual({ service: 'dynamodb', action: 'dynamodb:PutItem', resource: withoutPut.table.arn });
      expect(webhook.fn.logs()).toContain('AccessDeniedException');
    } finally {
      await webhook.stop();
    }
  });

  it("holds the digest's writes to its claims' partitions: with the condition's prefix changed, its claim is refused and nothing is sent", async () => {
    const elsewhere = deploymentOf(stage.streamArn, (template) => {
      for (const resource of Object.values(template.Resources)) {
        if (resource.Type !== 'AWS::IAM::Policy') continue;
        const document = (resource.Properties as { PolicyDocument: { Statement: { Condition?: Record<string, Record<string, unknown>> }[] } }).PolicyDocument;
        for (const statement of document.Statement) {
          const like = statement.Condition?.['ForAllValues:StringLike'];
          if (like?.['dynamodb:LeadingKeys'] !== undefined) like['dynamodb:LeadingKeys'] = ['CLAIM#someone-else#*'];
        }
      }
    });
    const digest = await deploy('weekly-digest', {}, elsewhere);
    try {
      const outcome = await digest.fn.invoke({});
      expect(outcome.kind).not.toBe('result');
      expect(digest.proxy.denials).toContainEqual({ service: 'dynamodb', action: 'dynamodb:PutItem', resource: elsewhere.table.arn });
      expect(digest.proxy.published).toEqual([]);
      expect(digest.fn.logs()).toContain('weekly digest not sent: claiming its week failed');
    } finally {
      await digest.stop();
    }
  });

  it("fails when a key policy misses a grant: without kms:Decrypt for the webhook's role on the secrets' key, its init fails by name", async () => {
    const withoutDecrypt = deploymentOf(stage.streamArn, (template) => {
      for (const resource of Object.values(template.Resources)) {
        if (resource.Type !== 'AWS::KMS::Key') continue;
        const policy = (resource.Properties as { KeyPolicy: { Statement: { Principal?: { AWS?: unknown } }[] } }).KeyPolicy;
        policy.Statement = policy.Statement.filter((statement) => !JSON.stringify(statement.Principal?.AWS ?? '').includes('WebhookRole'));
      }
    });
    const webhook = await deploy('webhook', { WebhookSecret: WEBHOOK_SECRET }, withoutDecrypt);
    try {
      const init = await webhook.fn.init;
      expect(init).toMatchObject({ kind: 'init_error', message: expect.stringMatching(/WEBHOOK_SECRET_ARN: GetSecretValue failed: AccessDeniedException/) });
      expect(webhook.proxy.denials).toEqual([{ service: 'secretsmanager', action: 'kms:Decrypt', resource: expect.stringMatching(/^arn:aws:kms:/) }]);
    } finally {
      await webhook.stop();
    }
  });
}
