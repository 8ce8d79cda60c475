/**
 * What the FHIR writer and the sweep's catch-up say of each Task they send
 * (functions/fhir/sync/outcomes.ts): a Task that stated the tracker's digest
 * over a content the tracker never wrote is counted and logged, never left
 * silent (CONTRACT §13 implementation notes, issue 82 item 3).
 */
import { describe, expect, it } from 'vitest';
import { recordOutcome } from '../../functions/fhir/sync/outcomes';
import { FHIR_METRICS } from '../../functions/shared/metric-names';
import { recordingLogger, recordingMetrics } from '../support/recording-logs';

describe('recordOutcome', () => {
  it('counts a Task restating the tracker\'s digest beside the outcome and the EHR work it was read as, and logs it by follow-up id only', () => {
    const metrics = recordingMetrics();
    const { logger, lines } = recordingLogger();
    recordOutcome(logger, metrics, 'fu-1', { kind: 'written', ehr: 'applied', restated: true });
    expect(Object.fromEntries(metrics.counts)).toEqual({ [FHIR_METRICS.written]: 1, [FHIR_METRICS.ehrApplied]: 1, [FHIR_METRICS.restatedDigest]: 1 });
    expect(lines.filter((line) => line.level === 'warn')).toEqual([expect.objectContaining({ fields: { follow_up_id: 'fu-1' } })]);

    const plain = recordingMetrics();
    recordOutcome(recordingLogger().logger, plain, 'fu-2', { kind: 'written' });
    expect(Object.fromEntries(plain.counts)).toEqual({ [FHIR_METRICS.written]: 1 });
  });
});
