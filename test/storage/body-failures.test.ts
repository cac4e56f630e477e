import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config';
import { forgetAssembled } from '../../src/storage/body-read';
import { forgetConversations } from '../../src/storage/conversations';
import { persist } from '../../src/storage/persist';
import { forgetReadPieces, forgetStoredPieces } from '../../src/storage/pieces';
import { getTrace } from '../../src/storage/queries';
import { deleteExpiredTraces } from '../../src/storage/retention';
import { traces } from '../../src/storage/schema';
import { claudeCodeRequests } from '../fixtures/claude-code';
import { answerMessage, completed, sessionRecords } from '../helpers/records';
import { DAY } from '../helpers/seed';

/** What happens to body format 1 when part of a history is gone: never a wrong body, and nothing else held back. */
const db = () => drizzle(env.DB);
const fixture = claudeCodeRequests[4] as unknown as { system: unknown; tools: unknown };

beforeEach(() => {
  forgetConversations();
  forgetStoredPieces();
  forgetAssembled();
  forgetReadPieces();
});
afterEach(() => vi.restoreAllMocks());

describe('a history that is partly gone', () => {
  it('does not stop retention: the turn that cannot stand alone stays unreadable, the rest is deleted', async () => {
    const now = Date.now();
    const records = sessionRecords(fixture, { turns: 6, sessionId: `lost-${crypto.randomUUID()}`, startAt: now - 35 * DAY, stepMs: DAY });
    for (const record of records) await persist(loadConfig(env as never), record);
    // Turn 3 is lost (a queued write that never landed); turn 5, kept, continues turn 4, which continues it.
    await db().delete(traces).where(eq(traces.id, records[3]!.id));
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));

    const result = await deleteExpiredTraces(env.DB, 30.5, now);
    const left = (await db().select({ id: traces.id }).from(traces)).map((row) => row.id);
    expect(left).toEqual([records[5]!.id]);
    expect(result.rerooted).toBe(0);
    expect(lines.map((line) => JSON.parse(line)).find((entry) => entry.event === 'trace_body_unreadable')).toMatchObject({ trace_id: records[5]!.id });
    forgetAssembled();
    expect((await getTrace(db(), records[5]!.id))!.requestBody).toBeNull();
  });

  it('re-roots the other turns when D1 refuses one (a row over its limit), and still deletes', async () => {
    const now = Date.now();
    const config = loadConfig(env as never);
    const sessions = [0, 1].map((n) =>
      sessionRecords(fixture, { turns: 2, sessionId: `refused-${n}-${crypto.randomUUID()}`, startAt: now - 40 * DAY, stepMs: 20 * DAY }),
    );
    for (const records of sessions) for (const record of records) await persist(config, record);
    const [refusedChild, keptChild] = [sessions[0]![1]!, sessions[1]![1]!];
    // D1 refuses any batch holding the first child's UPDATE (its id is the last parameter).
    const d1 = {
      prepare: (query: string) => env.DB.prepare(query),
      batch(statements: D1PreparedStatement[]) {
        const params = statements.map((statement) => JSON.stringify((statement as unknown as { params?: unknown[] }).params ?? []));
        if (params.some((text) => text.endsWith(`"${refusedChild.id}"]`))) return Promise.reject(new Error('D1_ERROR: string or blob too big: SQLITE_TOOBIG'));
        return env.DB.batch(statements);
      },
    } as unknown as D1Database;
    vi.spyOn(console, 'error').mockImplementation(() => {});

    const result = await deleteExpiredTraces(d1, 30, now);
    expect(result.rerooted).toBe(1);
    const mine = new Set(sessions.flat().map((record) => record.id));
    const left = (await db().select({ id: traces.id }).from(traces)).map((row) => row.id).filter((id) => mine.has(id));
    expect(left.sort()).toEqual([refusedChild.id, keptChild.id].sort());
    forgetAssembled();
    forgetReadPieces();
    expect((await getTrace(db(), keptChild.id))!.requestBody).toBe(keptChild.requestBody);
    expect((await getTrace(db(), refusedChild.id))!.requestBody).toBeNull();
  });

  it('reads a turn whose history answer is no longer readable as no body, never as a shorter one', async () => {
    const config = loadConfig({ ...env, BODIES_BUCKET: env.TEST_BODIES, R2_BODY_THRESHOLD_BYTES: '320' } as never);
    const session = `r2-gone-${crypto.randomUUID()}`;
    const content = [{ type: 'text', text: 'a long enough answer '.repeat(20) }];
    const first = [{ role: 'user', content: 'first' }];
    const one = completed({
      sessionId: session,
      requestBody: JSON.stringify({ model: 'm', messages: first }),
      responseBody: JSON.stringify(answerMessage('a', content)),
    });
    await persist(config, one);
    const second = [...first, { role: 'assistant', content }, { role: 'user', content: 'second' }];
    const two = completed({ sessionId: session, requestBody: JSON.stringify({ model: 'm', messages: second }), responseBody: null });
    await persist(config, two);
    expect((await getTrace(db(), two.id, env.TEST_BODIES))!.requestBody).toBe(two.requestBody);

    // The first answer went to R2; read without the bucket (unbound later), it is unreadable.
    vi.spyOn(console, 'error').mockImplementation(() => {});
    forgetAssembled();
    forgetReadPieces();
    expect((await getTrace(db(), two.id))!.requestBody).toBeNull();
  });
});

describe('bodies JSON allows but objects make awkward', () => {
  async function roundTrip(requestBody: string, upstreamRequestBody: string | null = null) {
    const record = completed({ requestBody, upstreamRequestBody, responseBody: JSON.stringify(answerMessage('m', [{ type: 'text', text: 'ok' }])) });
    await persist(loadConfig(env as never), record);
    forgetAssembled();
    forgetReadPieces();
    return (await getTrace(db(), record.id))!;
  }

  it('keeps __proto__ keys, at the top and in a block with a cache marker', async () => {
    const top = '{"model":"m","__proto__":{"x":1},"messages":[{"role":"user","content":"hi"}]}';
    expect((await roundTrip(top)).requestBody).toBe(top);
    const marked =
      '{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi","__proto__":{"x":1},"cache_control":{"type":"ephemeral"}}]}]}';
    expect((await roundTrip(marked)).requestBody).toBe(marked);
  });

  it('shares no translated string that starts with U+0000 with the wrong client string', async () => {
    const a = `\u0000${'A'.repeat(60)}`;
    const b = `\u0000\u0000${'A'.repeat(60)}`;
    const messages = [
      { role: 'user', content: a },
      { role: 'assistant', content: 'x' },
      { role: 'user', content: b },
    ];
    const request = JSON.stringify({ model: 'm', messages });
    const upstream = JSON.stringify({ model: 'gpt', messages });
    const trace = await roundTrip(request, upstream);
    expect(trace.requestBody).toBe(request);
    expect(trace.upstreamRequestBody).toBe(upstream);
  });
});
