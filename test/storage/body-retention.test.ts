import { env } from 'cloudflare:workers';
import { count, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { forgetConversations } from '../../src/storage/conversations';
import { persist } from '../../src/storage/persist';
import { forgetStoredPieces } from '../../src/storage/pieces';
import { getTrace } from '../../src/storage/queries';
import { deleteExpiredTraces } from '../../src/storage/retention';
import { bodyPieces, traces } from '../../src/storage/schema';
import { claudeCodeRequests } from '../fixtures/claude-code';
import { sessionRecords } from '../helpers/records';
import { DAY } from '../helpers/seed';

const db = () => drizzle(env.DB);
const fixture = claudeCodeRequests[4] as unknown as { system: unknown; tools: unknown };

beforeEach(() => {
  forgetConversations();
  forgetStoredPieces();
});

/** What the tables hold: rows, and the bytes of every column of every row. */
async function stored() {
  const [row] = (
    await env.DB.prepare(
      `SELECT (SELECT COUNT(*) FROM traces) AS traces, (SELECT COUNT(*) FROM body_pieces) AS pieces,
        (SELECT IFNULL(SUM(LENGTH(CAST(new_messages AS BLOB)) + IFNULL(LENGTH(CAST(response_body AS BLOB)), 0)), 0) FROM traces) AS trace_bytes,
        (SELECT IFNULL(SUM(IFNULL(LENGTH(json), 0) + IFNULL(LENGTH(gzip), 0)), 0) FROM body_pieces) AS piece_bytes`,
    ).all<{ traces: number; pieces: number; trace_bytes: number; piece_bytes: number }>()
  ).results;
  return row!;
}

const fileSize = async () => (await env.DB.prepare('SELECT 1').run()).meta.size_after as number;

describe('retention of body format 1', () => {
  it('a session spanning the cutoff: its newer turns are re-rooted and still read back exactly', async () => {
    const now = Date.now();
    const records = sessionRecords(fixture, { turns: 10, sessionId: `span-${crypto.randomUUID()}`, startAt: now - 35 * DAY, stepMs: DAY });
    for (const record of records) await persist(loadConfig(env as never), record);
    const kept = records.filter((record) => record.createdAt.getTime() >= now - 30 * DAY);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(records.length);
    const firstKept = await db().select().from(traces).where(eq(traces.id, kept[0]!.id)).get();
    expect(firstKept!.historyTraceId).toBe(records[records.length - kept.length - 1]!.id);

    const result = await deleteExpiredTraces(env.DB, 30, now);
    expect(result).toMatchObject({ deleted: records.length - kept.length, rerooted: 1, more: false });
    const rerooted = await db().select().from(traces).where(eq(traces.id, kept[0]!.id)).get();
    expect(rerooted!.historyTraceId).toBeNull();
    for (const record of kept) expect((await getTrace(db(), record.id))!.requestBody).toBe(record.requestBody);
  });

  it('a session that ages out leaves nothing behind: rows and pieces go, and the next session reuses the space', async () => {
    const config = loadConfig(env as never);
    // Whatever other tests left ages out too: start from an empty store.
    await deleteExpiredTraces(env.DB, 1, Date.now() + 400 * DAY);
    const empty = await stored();
    expect(empty).toMatchObject({ traces: 0, pieces: 0 });

    const session = (name: string, at: number) => sessionRecords(fixture, { turns: 20, sessionId: `${name}-${crypto.randomUUID()}`, startAt: at });
    for (const record of session('old', Date.now() - 40 * DAY)) await persist(config, record);
    const full = await stored();
    expect(full.traces).toBe(20);
    expect(full.pieces).toBeGreaterThan(0);
    const sizeFull = await fileSize();

    // The next day's run: the session is 41 days old, its pieces were last used yesterday.
    const result = await deleteExpiredTraces(env.DB, 30, Date.now() + DAY);
    expect(result).toMatchObject({ deleted: 20, piecesDeleted: full.pieces });
    expect(await stored()).toEqual(empty);
    expect(await db().select({ n: count() }).from(bodyPieces)).toEqual([{ n: 0 }]);

    // The freed pages take the next session: the file does not grow for it.
    forgetConversations();
    forgetStoredPieces();
    for (const record of session('new', Date.now())) await persist(config, record);
    expect((await stored()).traces).toBe(20);
    expect(await fileSize()).toBeLessThanOrEqual(sizeFull);
  });
});
