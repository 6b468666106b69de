/** The reply classifier (see ./classify.ts) and what its callers need. */
export { classifyReply, CONFIDENCE_THRESHOLD, RULE_CONFIDENCE, SAFETY_ORDER, type ClassifiedReply, type PromiseDate } from './classify.js';
export type { Intent } from '../vocabulary.js';
