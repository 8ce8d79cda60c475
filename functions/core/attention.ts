/**
 * Why a person must decide what happens next on a follow-up (CONTRACT §9): the
 * redraw order ended otherwise than completed; it came back completed with
 * results still missing (Junction redraws once); or the transaction ended with
 * results missing and never had a redraw. A leaf module: the console's report
 * pages import it without the rest of the follow-up core.
 */
export const ATTENTIONS = ['redraw_failed', 'results_still_missing', 'no_redraw'] as const;
export type Attention = (typeof ATTENTIONS)[number];
