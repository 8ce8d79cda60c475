/**
 * Bench section k (bench/story-cost.ts) on DynamoDB Local: each story, delivered
 * through the real webhook function, the table's stream and the transaction
 * function, ends as CONTRACT §9 says (the figures would be of something else
 * otherwise), and its parts are metered apart: the webhook function writes at
 * least once per delivery, and the follow-up side is where an incomplete redraw
 * and a failed test kit differ from a redraw story.
 */
import { describe, expect, it } from 'vitest';
import { measureStoryCost, storyCostLines } from '../../bench/story-cost';
import { localEndpoint } from '../support/dynamodb';

describe('bench section k: DynamoDB units per story', () => {
  it('ends every story as CONTRACT §9 says and meters the webhook, follow-up and transaction parts apart', { timeout: 120_000 }, async () => {
    const result = await measureStoryCost(localEndpoint(), 1);
    expect(result.unexpected).toEqual([]);
    expect(result.stories.redraw).toMatchObject({ webhooks: 9, actions: 3, ended: 'closed redraw_completed by tracker', attention: null });
    expect(result.stories.incomplete_redraw).toMatchObject({ webhooks: 9, actions: 4, ended: 'closed clinician_accepted_partial_results by a person', attention: 'results_still_missing' });
    expect(result.stories.failed_test_kit).toMatchObject({ webhooks: 7, actions: 3, ended: 'closed other by a person', attention: 'no_redraw' });
    for (const story of Object.values(result.stories)) {
      expect(story.webhook.write).toBeGreaterThanOrEqual(story.webhooks);
      expect(story.total.write).toBe(story.webhook.write + story.followUp.write + story.transaction.write);
    }
    // The incomplete redraw differs from the redraw story on the follow-up side only: same webhooks, same orders.
    expect(result.stories.incomplete_redraw.webhook).toEqual(result.stories.redraw.webhook);
    expect(result.stories.incomplete_redraw.followUp.write).toBeGreaterThan(result.stories.redraw.followUp.write);
    expect(result.stories.failed_test_kit.total.write).toBeLessThan(result.stories.redraw.total.write);
    expect(storyCostLines(result).at(-1)).toBe('  every story ended as CONTRACT §9 says');
  });
});
