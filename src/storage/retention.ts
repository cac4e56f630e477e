import { and, asc, eq, gt, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { drizzle } from 'drizzle-orm/d1';
import type { BodyStore } from '../config';
import { errorText } from '../core/errors';
import { idFloor } from '../core/ids';
import { log } from '../core/log';
import { loadConversations } from './body-read';
import { namedPieces } from './body-split';
import { standAlone } from './body-store';
import { pieceStatements } from './writer';
import { utcDay } from './pieces';
import { bodyPieces, sessions, traces } from './schema';

/** Rows deleted per statement: keeps each statement short, well inside D1's limits. */
export const RETENTION_BATCH = 500;
/**
 * Queries a run may make: the free plan allows 50 per invocation. A batch of old traces takes
 * three (read, find the traces that continue them, delete), plus what re-rooting those takes.
 */
export const RETENTION_QUERY_BUDGET = 45;
/** Pieces deleted per statement. */
const PIECE_BATCH = 500;

export interface RetentionResult {
  deleted: number;
  batches: number;
  bodiesDeleted: number;
  sessionsDeleted: number;
  /** Newer traces that continued a deleted one, rewritten to stand on their own. */
  rerooted: number;
  /** Shared pieces no remaining trace uses, deleted. */
  piecesDeleted: number;
  /** True when old traces are left for the next run. */
  more: boolean;
}

/**
 * Deletes traces older than `days` in bounded batches, their R2 bodies with them, then the
 * sessions left without traces, then the pieces no remaining trace can use. Trace ids are ULIDs,
 * so "older than" is a primary-key range. A newer trace whose history is a deleted trace's
 * conversation is first rewritten to hold that conversation itself (re-rooted): nothing a
 * remaining trace says is lost.
 */
export async function deleteExpiredTraces(
  d1: D1Database,
  days: number,
  now: number,
  bucket?: R2Bucket,
  store: BodyStore | null = null,
): Promise<RetentionResult> {
  const db = drizzle(d1);
  const cutoff = now - days * 86_400_000;
  // Every id below the cutoff's smallest id was made before it.
  const boundary = idFloor(cutoff);
  const result: RetentionResult = { deleted: 0, batches: 0, bodiesDeleted: 0, sessionsDeleted: 0, rerooted: 0, piecesDeleted: 0, more: false };
  let queries = 0;

  // Room for a batch with re-rooting, and for the queries after the loop.
  batches: while (queries + 12 <= RETENTION_QUERY_BUDGET) {
    const batch = await db
      .select({ id: traces.id, r1: traces.requestBodyR2Key, r2: traces.upstreamRequestBodyR2Key, r3: traces.responseBodyR2Key })
      .from(traces)
      .where(lt(traces.id, boundary))
      .orderBy(traces.id)
      .limit(RETENTION_BATCH);
    queries++;
    if (batch.length === 0) break;
    const first = batch[0]!.id;
    const last = batch.at(-1)!.id;

    // Traces kept (or deleted later) that continue one of these: they stand on their own first.
    const children = await db
      .select()
      .from(traces)
      .where(and(gte(traces.historyTraceId, first), lte(traces.historyTraceId, last), gt(traces.id, last)));
    queries++;
    if (children.length > 0) {
      const frames = children.flatMap((child) => [child.requestFrame, child.upstreamFrame].filter((hash): hash is string => hash !== null));
      const { conversations, pieces: loaded } = await loadConversations(db, children, frames, store?.bucket ?? bucket);
      const framePieces = new Map(frames.filter((hash) => loaded.has(hash)).map((hash) => [hash, namedPieces(loaded.get(hash)!)]));
      queries += 4;
      // Each child's statements apart: if D1 refuses the batch, each child is tried on its own.
      const byChild: { id: string; statements: BatchItem<'sqlite'>[] }[] = [];
      for (const child of children) {
        let stood: Awaited<ReturnType<typeof standAlone>>;
        try {
          stood = await standAlone(conversations.messagesOf(child.id), child.upstreamFrame ? conversations.upstreamOf(child.id) : null, now, store);
        } catch (err) {
          // Its request cannot be put together (a trace or piece of its history is gone): it stays
          // unreadable, as it already was, and holds nothing else back.
          log('error', 'trace_body_unreadable', child.id, { error: errorText(err) });
          continue;
        }
        const { columns, pieces } = stood;
        // Its frames (and the pieces they name) are kept as long as it is: marked used today.
        const frames = [child.requestFrame, child.upstreamFrame].filter((hash): hash is string => hash !== null);
        const named = frames.flatMap((hash) => (framePieces.has(hash) ? [hash, ...framePieces.get(hash)!] : [hash]));
        byChild.push({
          id: child.id,
          statements: [...pieceStatements(db, { pieces, touched: named, day: utcDay(now) }), db.update(traces).set(columns).where(eq(traces.id, child.id))],
        });
      }
      const statements = byChild.flatMap((one) => one.statements);
      if (statements.length > 0) {
        try {
          await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
          result.rerooted += byChild.length;
        } catch {
          // One child D1 cannot take (a row over its limit): the others still stand alone, and
          // that one stays unreadable rather than holding retention back for good.
          for (const one of byChild) {
            // Out of queries: this batch is not deleted now; the next run goes on (re-rooted children are done).
            if (queries + 4 > RETENTION_QUERY_BUDGET) break batches;
            try {
              await db.batch(one.statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
              result.rerooted++;
            } catch (err) {
              log('error', 'trace_body_unreadable', one.id, { error: `could not stand alone: ${errorText(err)}` });
            }
            queries++;
          }
        }
        queries++;
      }
    }

    const keys = batch.flatMap((row) => [row.r1, row.r2, row.r3]).filter((key): key is string => !!key);
    if (bucket && keys.length > 0) {
      await bucket.delete(keys);
      result.bodiesDeleted += keys.length;
    }
    // The batch is a contiguous id range: delete it as one (D1 binds at most 100 parameters).
    await db.delete(traces).where(and(gte(traces.id, first), lte(traces.id, last)));
    queries++;
    result.deleted += batch.length;
    result.batches++;
    if (batch.length < RETENTION_BATCH) break;
  }
  result.more = (await db.select({ id: traces.id }).from(traces).where(lt(traces.id, boundary)).limit(1)).length > 0;

  const orphaned = await db
    .delete(sessions)
    .where(and(lt(sessions.startedAt, new Date(cutoff)), sql`NOT EXISTS (SELECT 1 FROM ${traces} WHERE ${traces.sessionId} = ${sessions.id})`))
    .run();
  result.sessionsDeleted = orphaned.meta.changes ?? 0;
  result.piecesDeleted = await deleteUnusedPieces(db, now, bucket);
  return result;
}

/**
 * Deletes the pieces no remaining trace can use: a piece's `last_day` is the last day a trace
 * was written with it, so one last used before the oldest remaining trace's day is used by none.
 * (A trace written today may not be in D1 yet: today's pieces always stay.)
 */
async function deleteUnusedPieces(db: ReturnType<typeof drizzle>, now: number, bucket?: R2Bucket): Promise<number> {
  const oldest = await db.select({ createdAt: traces.createdAt }).from(traces).orderBy(asc(traces.id)).limit(1).get();
  const today = utcDay(now);
  const oldestDay = oldest ? utcDay(oldest.createdAt.getTime()) : today;
  const before = [oldestDay, today].sort()[0]!;
  let deleted = 0;
  for (let round = 0; round < 2; round++) {
    const gone = await db
      .delete(bodyPieces)
      .where(inArray(bodyPieces.hash, db.select({ hash: bodyPieces.hash }).from(bodyPieces).where(lt(bodyPieces.lastDay, before)).limit(PIECE_BATCH)))
      .returning({ r2Key: bodyPieces.r2Key });
    deleted += gone.length;
    const keys = gone.map((piece) => piece.r2Key).filter((key): key is string => key !== null);
    if (bucket && keys.length > 0) await bucket.delete(keys);
    if (gone.length < PIECE_BATCH) break;
  }
  return deleted;
}
