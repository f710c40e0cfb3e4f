import type { ClientSession, Connection } from 'mongoose';

/**
 * Runs `work` in one multi-document transaction on the replica set and answers what it returns.
 * Every operation inside must be given the session. The driver (`withTransaction`, through mongoose
 * `connection.transaction`) runs `work` again from the start when the transaction fails with a
 * TransientTransactionError (a write conflict with a concurrent transaction, an election) and
 * retries the commit on UnknownTransactionCommitResult, for up to 120 s in all; so `work` keeps no
 * state between attempts and swallows no error of an operation.
 */
export type Transact = <T>(work: (session: ClientSession) => Promise<T>) => Promise<T>;

export function transactionRunner(connection: Connection): Transact {
  return (work) => connection.transaction(work);
}

/**
 * Ends the transaction without writing anything and answers `outcome`: a refusal decided inside
 * the transaction (not found, last owner). `withTransaction` returns the callback's value without
 * committing when the callback aborted the transaction itself.
 */
export async function refuse<T>(session: ClientSession, outcome: T): Promise<T> {
  await session.abortTransaction();
  return outcome;
}
