import { env } from 'cloudflare:workers';
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
  for (const row of full) {
    await db.insert(traces).values(row);
    if (row.sessionId) {
      await db
        .insert(sessions)
        .values({ id: row.sessionId, startedAt: row.createdAt, firstTraceId: row.id, userAgent: row.userAgent ?? null })
        .onConflictDoNothing();
    }
  }
  return full;
}
