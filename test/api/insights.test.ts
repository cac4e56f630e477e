import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { beforeAll, describe, expect, it } from 'vitest';
import { dailyUsage, sessionSummary } from '../../src/storage/schema';
import { DAY, HOUR, seedTraces } from '../helpers/seed';
import { send } from '../helpers/worker';

/**
 * Views and the query API against known traces: two sessions on two days, a failure, an
 * unpriced model, durations picked so the percentiles are known.
 */

const ADMIN_TOKEN = 'admin-token-for-insights-tests-0001';
const today = Math.floor(Date.now() / DAY) * DAY; // 00:00 UTC
const dayBefore = today - DAY;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

let seeded: Awaited<ReturnType<typeof seedTraces>>;

beforeAll(async () => {
  seeded = await seedTraces([
    // session alpha, yesterday: three turns on sonnet, one failed
    {
      at: dayBefore + 10 * HOUR,
      sessionId: 'alpha',
      requestedModel: 'claude-sonnet-4-6',
      targetModel: 'claude-sonnet-4-6',
      provider: 'anthropic',
      inputTokens: 100,
      outputTokens: 10,
      cacheReadInputTokens: 1000,
      costMicros: 900,
      durationMs: 100,
      ttftMs: 40,
      stopReason: 'tool_use',
      requestBody: '{"model":"claude-sonnet-4-6","messages":[]}',
      responseBody: '{"type":"message"}',
    },
    {
      at: dayBefore + 10 * HOUR + 60_000,
      sessionId: 'alpha',
      requestedModel: 'claude-sonnet-4-6',
      targetModel: 'claude-sonnet-4-6',
      provider: 'anthropic',
      inputTokens: 200,
      outputTokens: 20,
      costMicros: 1000,
      durationMs: 200,
      ttftMs: 50,
      stopReason: 'end_turn',
    },
    {
      at: dayBefore + 10 * HOUR + 120_000,
      sessionId: 'alpha',
      requestedModel: 'claude-sonnet-4-6',
      targetModel: 'claude-sonnet-4-6',
      provider: 'anthropic',
      status: 529,
      errorType: 'overloaded_error',
      errorMessage: 'Overloaded',
      endReason: 'error',
      durationMs: 300,
      ttftMs: 60,
    },
    // session beta, today: gpt-4.1 then an unpriced local model
    {
      at: today + 1 * HOUR,
      sessionId: 'beta',
      requestedModel: 'claude-opus-4-8',
      targetModel: 'gpt-4.1',
      provider: 'openai',
      inputTokens: 1000,
      outputTokens: 100,
      costMicros: 2800,
      durationMs: 1000,
      ttftMs: 300,
      stopReason: 'end_turn',
    },
    {
      at: today + 2 * HOUR,
      sessionId: 'beta',
      requestedModel: 'claude-haiku-4-5',
      targetModel: 'qwen3:8b',
      provider: 'openai',
      inputTokens: 50,
      outputTokens: 5,
      costMicros: null,
      durationMs: 400,
      ttftMs: 100,
      stopReason: 'end_turn',
    },
    // no session, today: a rate limit and a client that left
    {
      at: today + 3 * HOUR,
      requestedModel: 'claude-opus-4-8',
      targetModel: 'gpt-4.1',
      provider: 'openai',
      status: 429,
      errorType: 'rate_limit_error',
      errorMessage: 'slow down',
      endReason: 'error',
      durationMs: 20,
    },
    {
      at: today + 4 * HOUR,
      requestedModel: 'claude-opus-4-8',
      targetModel: 'gpt-4.1',
      provider: 'openai',
      errorType: 'client_abort',
      endReason: 'client_abort',
      inputTokens: 10,
      outputTokens: 1,
      costMicros: 36,
      durationMs: 50,
    },
  ]);
});

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
async function api<T = Record<string, unknown>>(path: string, headers: Record<string, string> = admin, overrides: Record<string, unknown> = {}) {
  const { response } = await send(path, { headers }, { ADMIN_TOKEN, ...overrides });
  return { status: response.status, body: (await response.json()) as T };
}

describe('views (what Drizzle Studio shows)', () => {
  it('session_summary: one row per session with its totals', async () => {
    const rows = await drizzle(env.DB).select().from(sessionSummary).orderBy(sessionSummary.sessionId);
    expect(rows).toEqual([
      {
        sessionId: 'alpha',
        apiKeyName: null,
        firstAt: new Date(dayBefore + 10 * HOUR),
        lastAt: new Date(dayBefore + 10 * HOUR + 120_000),
        requests: 3,
        errors: 1,
        inputTokens: 300,
        outputTokens: 30,
        cacheReadInputTokens: 1000,
        cacheCreationInputTokens: null,
        costMicros: 1900,
        requestMs: 600,
        requestedModels: 'claude-sonnet-4-6',
        targetModels: 'claude-sonnet-4-6',
      },
      {
        sessionId: 'beta',
        apiKeyName: null,
        firstAt: new Date(today + HOUR),
        lastAt: new Date(today + 2 * HOUR),
        requests: 2,
        errors: 0,
        inputTokens: 1050,
        outputTokens: 105,
        cacheReadInputTokens: null,
        cacheCreationInputTokens: null,
        costMicros: 2800,
        requestMs: 1400,
        requestedModels: 'claude-opus-4-8,claude-haiku-4-5',
        targetModels: 'gpt-4.1,qwen3:8b',
      },
    ]);
  });

  it('daily_usage: per day and target model, with p50 and p95 durations', async () => {
    const rows = await drizzle(env.DB).select().from(dailyUsage).orderBy(dailyUsage.day, dailyUsage.model);
    expect(rows).toEqual([
      {
        day: day(dayBefore),
        model: 'claude-sonnet-4-6',
        requests: 3,
        errors: 1,
        inputTokens: 300,
        outputTokens: 30,
        cacheReadInputTokens: 1000,
        cacheCreationInputTokens: null,
        costMicros: 1900,
        p50DurationMs: 200,
        p95DurationMs: 300,
      },
      {
        day: day(today),
        model: 'gpt-4.1',
        requests: 3,
        errors: 1,
        inputTokens: 1010,
        outputTokens: 101,
        cacheReadInputTokens: null,
        cacheCreationInputTokens: null,
        costMicros: 2836,
        p50DurationMs: 50,
        p95DurationMs: 1000,
      },
      {
        day: day(today),
        model: 'qwen3:8b',
        requests: 1,
        errors: 0,
        inputTokens: 50,
        outputTokens: 5,
        cacheReadInputTokens: null,
        cacheCreationInputTokens: null,
        costMicros: null,
        p50DurationMs: 400,
        p95DurationMs: 400,
      },
    ]);
  });
});

describe('/api auth', () => {
  it('answers 401 without the admin token, with a wrong one, or when none is configured', async () => {
    const missing = await api<{ error: { type: string; message: string } }>('/api/traces', {});
    expect(missing.status).toBe(401);
    expect(missing.body.error).toEqual({ type: 'authentication_error', message: 'missing admin token: send Authorization: Bearer <ADMIN_TOKEN>' });
    const wrong = await api<{ error: { message: string } }>('/api/traces', { authorization: 'Bearer admin-token-for-insights-tests-0002' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBe('invalid admin token');
    const closed = await api<{ error: { message: string } }>('/api/stats', admin, { ADMIN_TOKEN: undefined });
    expect(closed.status).toBe(401);
    expect(closed.body.error.message).toMatch(/set the ADMIN_TOKEN secret/);
    // a proxy key is not an admin token
    const proxy = await api('/api/traces', { 'x-api-key': ADMIN_TOKEN });
    expect(proxy.status).toBe(401);
  });
});

type TraceList = {
  data: { id: string; session_id: string | null; status: number; target_model: string; request_body?: unknown; created_at: string }[];
  next_cursor: string | null;
  has_more: boolean;
};

describe('GET /api/traces', () => {
  it('lists newest first, without bodies', async () => {
    const { body } = await api<TraceList>('/api/traces');
    expect(body.data.map((trace) => trace.id)).toEqual(seeded.map((row) => row.id).reverse());
    expect(body.data[0]).not.toHaveProperty('request_body');
    expect(body.data[0]).not.toHaveProperty('response_body');
    expect(body.data[0]).not.toHaveProperty('request_headers');
    expect(body.data[0]!.created_at).toBe(new Date(today + 4 * HOUR).toISOString());
    expect(body.has_more).toBe(false);
  });

  const filters: [string, number[]][] = [
    ['session=alpha', [2, 1, 0]],
    ['model=gpt-4.1', [6, 5, 3]],
    ['model=claude-haiku-4-5', [4]],
    ['requested_model=claude-opus-4-8', [6, 5, 3]],
    ['target_model=qwen3:8b', [4]],
    ['status=2xx', [6, 4, 3, 1, 0]],
    ['status=5xx', [2]],
    ['status=429', [5]],
    ['error_type=overloaded_error', [2]],
    [`since=${new Date(today).toISOString()}`, [6, 5, 4, 3]],
    [`until=${today}`, [2, 1, 0]],
    [`since=${today + HOUR}&until=${today + 3 * HOUR}`, [4, 3]],
    ['session=beta&status=2xx&target_model=gpt-4.1', [3]],
  ];
  for (const [query, expected] of filters) {
    it(`filters by ${query}`, async () => {
      const { status, body } = await api<TraceList>(`/api/traces?${query}`);
      expect(status).toBe(200);
      expect(body.data.map((trace) => trace.id)).toEqual(expected.map((i) => seeded[i]!.id));
    });
  }

  it('pages with a cursor', async () => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: { body: TraceList } = await api<TraceList>(`/api/traces?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(page.body.data.map((trace) => trace.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(seeded.map((row) => row.id).reverse());
  });

  it('rejects a bad time or limit with 400', async () => {
    expect((await api('/api/traces?since=yesterday-ish')).status).toBe(400);
    expect((await api('/api/traces?limit=0')).status).toBe(400);
    expect((await api('/api/traces?range=2w')).status).toBe(400);
  });
});

describe('GET /api/traces/:id', () => {
  it('returns everything, bodies parsed', async () => {
    const { status, body } = await api<Record<string, unknown>>(`/api/traces/${seeded[0]!.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: seeded[0]!.id,
      session_id: 'alpha',
      request_body: { model: 'claude-sonnet-4-6', messages: [] },
      response_body: { type: 'message' },
      cost_micros: 900,
      ttft_ms: 40,
    });
  });

  it('answers 404 for an unknown id', async () => {
    expect((await api('/api/traces/01ZZZZZZZZZZZZZZZZZZZZZZZZ')).status).toBe(404);
  });
});

type SessionList = {
  data: { session_id: string; requests: number; errors: number; cost_micros: number | null; target_models: string[]; first_at: string; last_at: string }[];
  next_cursor: string | null;
};

describe('sessions', () => {
  it('lists sessions, most recent first, or most expensive first', async () => {
    const recent = await api<SessionList>('/api/sessions');
    expect(recent.body.data.map((session) => session.session_id)).toEqual(['beta', 'alpha']);
    expect(recent.body.data[1]).toMatchObject({
      requests: 3,
      errors: 1,
      cost_micros: 1900,
      target_models: ['claude-sonnet-4-6'],
      first_at: new Date(dayBefore + 10 * HOUR).toISOString(),
    });
    const costly = await api<SessionList>('/api/sessions?sort=cost');
    expect(costly.body.data.map((session) => session.session_id)).toEqual(['beta', 'alpha']);
    const failing = await api<SessionList>('/api/sessions?errors=true');
    expect(failing.body.data.map((session) => session.session_id)).toEqual(['alpha']);
    const byModel = await api<SessionList>('/api/sessions?model=qwen3:8b');
    expect(byModel.body.data.map((session) => session.session_id)).toEqual(['beta']);
    const paged = await api<SessionList>('/api/sessions?limit=1');
    expect(paged.body.next_cursor).toBe('1');
    const second = await api<SessionList>('/api/sessions?limit=1&cursor=1');
    expect(second.body.data.map((session) => session.session_id)).toEqual(['alpha']);
  });

  it("returns one session's traces in order, with bodies when asked", async () => {
    const { body } = await api<{ session: { session_id: string; requests: number }; traces: { id: string; request_body?: unknown }[] }>(
      '/api/sessions/alpha?bodies=true',
    );
    expect(body.session).toMatchObject({ session_id: 'alpha', requests: 3 });
    expect(body.traces.map((trace) => trace.id)).toEqual(seeded.slice(0, 3).map((row) => row.id));
    expect(body.traces[0]!.request_body).toEqual({ model: 'claude-sonnet-4-6', messages: [] });
    const lean = await api<{ traces: object[] }>('/api/sessions/alpha');
    expect(lean.body.traces[0]).not.toHaveProperty('request_body');
    expect((await api('/api/sessions/nope')).status).toBe(404);
  });
});

describe('GET /api/stats', () => {
  it('gives requests, error rate by type, latency percentiles, tokens and cost per model and per day', async () => {
    const { body } = await api<Record<string, unknown>>(`/api/stats?since=${dayBefore}`);
    expect(body).toMatchObject({
      requests: 7,
      errors: 2,
      error_rate: 2 / 7,
      errors_by_type: expect.arrayContaining([
        { error_type: 'overloaded_error', count: 1 },
        { error_type: 'rate_limit_error', count: 1 },
      ]),
      input_tokens: 1360,
      output_tokens: 136,
      cost_micros: 1900 + 2836,
    });
    const models = body.models as {
      model: string;
      requests: number;
      duration: Record<string, number>;
      ttft: Record<string, number | null>;
      cost_micros: number | null;
    }[];
    expect(models.find((m) => m.model === 'claude-sonnet-4-6')).toMatchObject({
      requests: 3,
      duration: { p50: 200, p95: 300, p99: 300 },
      ttft: { p50: 50, p95: 60, p99: 60 },
    });
    expect(models.find((m) => m.model === 'gpt-4.1')).toMatchObject({
      requests: 3,
      duration: { p50: 50, p95: 1000, p99: 1000 },
      ttft: { p50: 300, p95: 300, p99: 300 },
      cost_micros: 2836,
    });
    expect(models.find((m) => m.model === 'qwen3:8b')).toMatchObject({ cost_micros: null });
    expect(body.days).toEqual([
      { day: day(dayBefore), model: 'claude-sonnet-4-6', requests: 3, errors: 1, input_tokens: 300, output_tokens: 30, cost_micros: 1900 },
      { day: day(today), model: 'gpt-4.1', requests: 3, errors: 1, input_tokens: 1010, output_tokens: 101, cost_micros: 2836 },
      { day: day(today), model: 'qwen3:8b', requests: 1, errors: 0, input_tokens: 50, output_tokens: 5, cost_micros: null },
    ]);
  });

  it('defaults to the last 24 hours', async () => {
    const { body } = await api<{ requests: number }>('/api/stats');
    const expected = seeded.filter((row) => row.createdAt.getTime() >= Date.now() - DAY).length;
    expect(body.requests).toBe(expected);
  });
});
