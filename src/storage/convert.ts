import { and, asc, eq, isNull } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Config } from '../config';
import { readStoredBody } from './bodies';
import { STORAGE_COLUMN_NAMES } from './body-read';
import { BODY_FORMAT, storeBodies } from './body-store';
import { type NewTrace, traces } from './schema';
import { noteWritten, pieceStatements } from './writer';

/** Traces converted per cron run: each takes three or four queries, inside the free plan's 50 per invocation. */
export const CONVERT_BATCH = 10;

export interface ConversionResult {
  converted: number;
  /** Left whole: bodies in R2, cut, or not JSON objects (nothing to gain, and nothing to lose). */
  keptWhole: number;
  more: boolean;
}

/** The columns body format 1 sets on a converted trace. */
const CONVERTED_COLUMNS = [...STORAGE_COLUMN_NAMES, 'requestHeaders', 'requestBody', 'upstreamRequestBody'] as const;

/**
 * Converts traces stored before body format 1 (whole bodies) to it, oldest first, a bounded
 * batch per run: resumable, since what is left is what still has no body format. Each trace is
 * written in one batch, its pieces with it, only if it is still unconverted; reads work for both
 * forms meanwhile. Bodies already in R2 stay there, whole.
 */
export async function convertLegacyTraces(config: Config, now: number): Promise<ConversionResult> {
  const { db } = config;
  const result: ConversionResult = { converted: 0, keptWhole: 0, more: false };
  const rows = await db
    .select()
    .from(traces)
    .where(isNull(traces.bodyFormat))
    .orderBy(asc(traces.id))
    .limit(CONVERT_BATCH + 1);
  result.more = rows.length > CONVERT_BATCH;
  for (const legacy of rows.slice(0, CONVERT_BATCH)) {
    const row: NewTrace = { ...legacy };
    const bodies =
      legacy.requestBodyR2Key || legacy.upstreamRequestBodyR2Key
        ? null
        : await storeBodies(
            db,
            row,
            legacy.responseBodyTruncated
              ? null
              : (legacy.responseBody ??
                  (legacy.responseBodyR2Key && config.trace.store ? await readStoredBody(config.trace.store.bucket, legacy.responseBodyR2Key) : null)),
            { now, store: config.trace.store },
          );
    row.bodyFormat = BODY_FORMAT;
    const set: Partial<NewTrace> = {};
    for (const column of CONVERTED_COLUMNS) (set as Record<string, unknown>)[column] = row[column] ?? null;
    const statements: BatchItem<'sqlite'>[] = [
      ...(bodies ? pieceStatements(db, bodies) : []),
      db
        .update(traces)
        .set(set)
        .where(and(eq(traces.id, legacy.id), isNull(traces.bodyFormat))),
    ];
    await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
    if (bodies) noteWritten({ row, bodies });
    if (row.requestFrame) result.converted++;
    else result.keptWhole++;
  }
  return result;
}
