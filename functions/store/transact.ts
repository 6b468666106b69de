/**
 * Writes that must happen together or not at all, in one request (TransactWriteItems, up to 100 actions on distinct
 * items, each with its own condition). Used where it buys a guarantee and saves requests at once: a new person's
 * intake (services/intake.ts) — the reference claim, the identity keys and the case appear together.
 *
 * Why not everywhere: a transaction costs twice the write units of the same single-item writes (DynamoDB prepares and
 * commits each item), and a cancelled one still costs a request. Locally both tables implement it
 * (infra/local/dynalite-transactions.ts, functions/store/in-process.ts); test/e2e/store-contract.test.ts holds them
 * to the same answers.
 */
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../shared/aws.js';

/** One action of a transaction (`{ Put }`, `{ Update }`, `{ Delete }` or `{ ConditionCheck }`, with its TableName). */
export type TransactAction = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export type TransactOutcome =
  | { written: true }
  /** nothing was written; `conditionFailed[i]`: the i-th action's condition was false (else a conflict or another reason) */
  | { written: false; conditionFailed: boolean[] };

/** Writes every action or none. A cancelled transaction is an answer (which conditions failed), any other error throws. */
export async function writeTogether(actions: readonly TransactAction[]): Promise<TransactOutcome> {
  try {
    await dynamo().send(new TransactWriteCommand({ TransactItems: [...actions] }));
    return { written: true };
  } catch (err) {
    if ((err as { name?: string })?.name !== 'TransactionCanceledException') throw err;
    const reasons = (err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
    return { written: false, conditionFailed: actions.map((_, i) => reasons[i]?.Code === 'ConditionalCheckFailed') };
  }
}
