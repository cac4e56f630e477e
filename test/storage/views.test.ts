import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { beforeAll, describe, expect, it } from 'vitest';
import { getSession, listSessions, stats } from '../../src/storage/queries';
import { dailyUsage, sessionSummary } from '../../src/storage/schema';
import { DAY, HOUR, seedTraces } from '../helpers/seed';

const db = () => drizzle(env.DB);
const base = Date.UTC(2031, 4, 10);

// Two days, three models, two sessions and requests outside any session; failures, client
// aborts, unpriced and unmeasured requests: everything the figures treat specially.
beforeAll(async () => {
  const rows = [];
  for (let i = 0; i < 40; i++) {
    const model = ['gpt-5.1', 'claude-sonnet-4-6', null][i % 3];
    rows.push({
      at: base + (i % 2) * DAY + i * HOUR * 0.3,
      sessionId: i % 4 === 3 ? null : i % 2 ? 'view-session-a' : 'view-session-b',
      requestedModel: 'claude-sonnet-4-6',
      targetModel: model,
      status: i % 5 === 0 ? 529 : i % 7 === 0 ? 499 : 200,
      errorType: i % 5 === 0 ? 'overloaded_error' : i % 7 === 0 ? 'client_abort' : null,
      inputTokens: i % 6 === 0 ? null : 100 + i,
      outputTokens: i % 6 === 0 ? null : 10 + i,
      cacheReadInputTokens: i % 2 ? 1000 * i : null,
      cacheCreationInputTokens: i % 3 ? 50 : null,
      costMicros: model === null ? null : 7 * i + 1,
      durationMs: i % 8 === 0 ? null : 200 + ((i * 37) % 900),
    });
  }
  await seedTraces(rows);
});

describe('the SQL views and the read model', () => {
  it('session_summary says what listSessions and getSession say, figure for figure', async () => {
    const view = await db().select().from(sessionSummary);
    const sessions = view.filter((row) => row.sessionId.startsWith('view-session-'));
    expect(sessions).toHaveLength(2);
    const listed = await listSessions(db(), { limit: 500 });
    for (const row of sessions) {
      const fromList = listed.data.find((session) => session.sessionId === row.sessionId)!;
      const fromGet = (await getSession(db(), row.sessionId))!.session;
      for (const session of [fromList, fromGet]) {
        expect(session).toMatchObject({
          firstAt: row.firstAt,
          lastAt: row.lastAt,
          requests: row.requests,
          errors: row.errors,
          inputTokens: row.inputTokens,
          outputTokens: row.outputTokens,
          cacheReadInputTokens: row.cacheReadInputTokens,
          cacheCreationInputTokens: row.cacheCreationInputTokens,
          costMicros: row.costMicros,
          requestMs: row.requestMs,
        });
        expect(session.targetModels.sort()).toEqual((row.targetModels ?? '').split(',').filter(Boolean).sort());
      }
    }
  });

  it('daily_usage says what stats() says per day and model, percentiles included', async () => {
    const view = (await db().select().from(dailyUsage)).filter((row) => row.day >= '2031-05-10' && row.day <= '2031-05-11');
    expect(view.length).toBeGreaterThanOrEqual(6);
    const range = await stats(db(), { since: base, until: base + 2 * DAY });
    for (const row of view) {
      const day = range.days.find((d) => d.day === row.day && d.model === row.model)!;
      expect(day).toEqual({
        day: row.day,
        model: row.model,
        requests: row.requests,
        errors: row.errors,
        inputTokens: row.inputTokens ?? 0,
        outputTokens: row.outputTokens ?? 0,
        costMicros: row.costMicros,
      });
      // One day at a time, stats() per model gives that day's percentiles.
      const oneDay = await stats(db(), { since: Date.parse(`${row.day}T00:00:00Z`), until: Date.parse(`${row.day}T00:00:00Z`) + DAY });
      const model = oneDay.models.find((m) => m.model === row.model)!;
      expect(model.duration.p50).toBe(row.p50DurationMs);
      expect(model.duration.p95).toBe(row.p95DurationMs);
      expect(model.cacheReadInputTokens).toBe(row.cacheReadInputTokens ?? 0);
      expect(model.cacheCreationInputTokens).toBe(row.cacheCreationInputTokens ?? 0);
    }
    expect(range.requests).toBe(view.reduce((sum, row) => sum + row.requests, 0));
    expect(range.errors).toBe(view.reduce((sum, row) => sum + row.errors, 0));
  });
});
