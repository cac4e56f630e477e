import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { describe, expect, it } from 'vitest';
import { sessions, traces } from '../../src/storage/schema';
import worker from '../../src/index';
import { RETENTION_BATCH, deleteExpiredTraces } from '../../src/storage/retention';
import { DAY, HOUR, seedTraces } from '../helpers/seed';

const db = () => drizzle(env.DB);

async function runCron(overrides: Record<string, unknown>, now: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: now, cron: '17 3 * * *' }), { ...env, ...overrides } as never, ctx);
  await waitOnExecutionContext(ctx);
}

describe('retention', () => {
  it('the daily cron deletes exactly the traces older than TRACE_RETENTION_DAYS, their R2 bodies and emptied sessions', async () => {
    const now = Date.now();
    const bucket = env.TEST_BODIES;
    const rows = await seedTraces([
      { at: now - 40 * DAY, sessionId: 'old-session', requestBodyR2Key: 'traces/old/1/request.json.gz' },
      { at: now - 31 * DAY, sessionId: 'old-session' },
      { at: now - 30 * DAY - HOUR, sessionId: 'spanning' },
      { at: now - 30 * DAY + HOUR, sessionId: 'spanning', responseBodyR2Key: 'traces/new/2/response.json.gz' },
      { at: now - DAY },
      { at: now },
    ]);
    await bucket.put('traces/old/1/request.json.gz', 'x');
    await bucket.put('traces/new/2/response.json.gz', 'y');

    await runCron({ TRACE_RETENTION_DAYS: '30', BODIES_BUCKET: bucket }, now);

    const left = await db().select({ id: traces.id }).from(traces).orderBy(traces.id);
    expect(left.map((row) => row.id)).toEqual(rows.slice(3).map((row) => row.id));
    expect(await bucket.head('traces/old/1/request.json.gz')).toBeNull();
    expect(await bucket.head('traces/new/2/response.json.gz')).not.toBeNull();
    const sessionIds = (await db().select({ id: sessions.id }).from(sessions)).map((row) => row.id);
    expect(sessionIds).not.toContain('old-session');
    expect(sessionIds).toContain('spanning'); // still has a trace inside the window
  });

  it('deletes in bounded batches', async () => {
    const now = Date.now();
    await db().delete(traces);
    await seedTraces(Array.from({ length: RETENTION_BATCH * 2 + 7 }, (_, i) => ({ at: now - 10 * DAY - i * 1000 })));
    await seedTraces([{ at: now }]);
    const result = await deleteExpiredTraces(env.DB, 7, now);
    expect(result).toMatchObject({ deleted: RETENTION_BATCH * 2 + 7, batches: 3, more: false });
    expect(await db().$count(traces)).toBe(1);
  });

  it('keeps everything when TRACE_RETENTION_DAYS is not set', async () => {
    const now = Date.now();
    await seedTraces([{ at: now - 400 * DAY }]);
    const before = await db().$count(traces);
    await runCron({ TRACE_RETENTION_DAYS: undefined }, now);
    expect(await db().$count(traces)).toBe(before);
  });
});
