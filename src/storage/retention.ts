import { and, gte, lt, lte, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { idFloor } from '../core/ids';
import { sessions, traces } from './schema';

/** Rows deleted per statement: keeps each statement short, well inside D1's limits. */
export const RETENTION_BATCH = 500;
/** Batches per run: the free plan allows 50 D1 queries per invocation; each batch takes two. */
export const RETENTION_MAX_BATCHES = 20;

export interface RetentionResult {
  deleted: number;
  batches: number;
  bodiesDeleted: number;
  sessionsDeleted: number;
  /** True when old traces are left for the next run. */
  more: boolean;
}

/**
 * Deletes traces older than `days` in bounded batches, their R2 bodies with them, then the
 * sessions left without traces. Trace ids are ULIDs, so "older than" is a primary-key range.
 */
export async function deleteExpiredTraces(d1: D1Database, days: number, now: number, bucket?: R2Bucket): Promise<RetentionResult> {
  const db = drizzle(d1);
  const cutoff = now - days * 86_400_000;
  // Every id below the cutoff's smallest id was made before it.
  const boundary = idFloor(cutoff);
  const result: RetentionResult = { deleted: 0, batches: 0, bodiesDeleted: 0, sessionsDeleted: 0, more: false };

  while (result.batches < RETENTION_MAX_BATCHES) {
    const batch = await db
      .select({ id: traces.id, r1: traces.requestBodyR2Key, r2: traces.upstreamRequestBodyR2Key, r3: traces.responseBodyR2Key })
      .from(traces)
      .where(lt(traces.id, boundary))
      .orderBy(traces.id)
      .limit(RETENTION_BATCH);
    if (batch.length === 0) break;
    const keys = batch.flatMap((row) => [row.r1, row.r2, row.r3]).filter((key): key is string => !!key);
    if (bucket && keys.length > 0) {
      await bucket.delete(keys);
      result.bodiesDeleted += keys.length;
    }
    // The batch is a contiguous id range: delete it as one (D1 binds at most 100 parameters).
    await db.delete(traces).where(and(gte(traces.id, batch[0]!.id), lte(traces.id, batch.at(-1)!.id)));
    result.deleted += batch.length;
    result.batches++;
    if (batch.length < RETENTION_BATCH) break;
  }
  result.more = result.batches === RETENTION_MAX_BATCHES;

  const orphaned = await db
    .delete(sessions)
    .where(and(lt(sessions.startedAt, new Date(cutoff)), sql`NOT EXISTS (SELECT 1 FROM ${traces} WHERE ${traces.sessionId} = ${sessions.id})`))
    .run();
  result.sessionsDeleted = orphaned.meta.changes ?? 0;
  return result;
}
