import { env } from 'cloudflare:workers';
import type { BatchItem } from 'drizzle-orm/batch';
import { drizzle } from 'drizzle-orm/d1';
import { sessions, traces, type NewTrace } from '../../src/storage/schema';
import { timePrefix } from '../../src/core/ids';

let counter = 0;

/** A trace id for a moment, with a suffix that keeps insertion order within the millisecond. */
export function idAt(ms: number): string {
  counter++;
  return `${timePrefix(ms)}${counter.toString(32).toUpperCase().padStart(16, '0')}`;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** Inserts traces as the writer would have stored them; returns the rows. */
export async function seedTraces(rows: (Partial<NewTrace> & { at: number })[]): Promise<NewTrace[]> {
  const db = drizzle(env.DB);
  const full = rows.map(({ at, ...row }) => ({
    id: idAt(at),
    createdAt: new Date(at),
    method: 'POST',
    path: '/v1/messages',
    status: 200,
    endReason: 'complete',
    ...row,
  })) satisfies NewTrace[];
  // One D1 round trip per 100 statements, in order (a session's row comes with its first trace).
  const statements: BatchItem<'sqlite'>[] = [];
  for (const row of full) {
    statements.push(db.insert(traces).values(row));
    if (row.sessionId) {
      statements.push(
        db
          .insert(sessions)
          .values({ id: row.sessionId, startedAt: row.createdAt, firstTraceId: row.id, userAgent: row.userAgent ?? null, apiKeyName: row.apiKeyName ?? null })
          .onConflictDoNothing(),
      );
    }
  }
  for (let i = 0; i < statements.length; i += 100) {
    await db.batch(statements.slice(i, i + 100) as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
  }
  return full;
}
