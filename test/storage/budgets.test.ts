import { env } from 'cloudflare:workers';
import { waitOnExecutionContext } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keySpend, traces } from '../../src/storage/schema';
import { parseBudgets } from '../../src/config/budgets';
import { SPEND_FIRST_READ_WAIT_MS, SPEND_REFRESH_MS, checkBudget, spendPeriods, spentBy } from '../../src/storage/spend';
import { jsonResponse, messageRequest, messageResponse } from '../fixtures/anthropic';
import { post, scriptUpstream, traceOf } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => {
  upstream?.restore();
  vi.restoreAllMocks();
});

// Storage is per test file, not per test: each test spends on its own key.

/**
 * env.DB behind a new object: budgets keep a per-isolate copy of spend per database, so each
 * test gets its own copy, as a fresh isolate would.
 */
function freshD1(failSpendReads = false) {
  return {
    prepare(sql: string) {
      if (failSpendReads && /^select .* from "key_spend"/i.test(sql)) throw new Error('D1_ERROR: Network connection lost.');
      return env.DB.prepare(sql);
    },
    batch: (statements: D1PreparedStatement[]) => env.DB.batch(statements),
  };
}

/** 100k input + 10k output tokens of claude-sonnet-4-6 at $3/$15 per Mtok: $0.45. */
const costlyAnswer = { ...messageResponse, usage: { input_tokens: 100_000, output_tokens: 10_000 } };
const COSTLY_MICROS = 450_000;

function settings(budgets: unknown, db = freshD1(), extra: Record<string, unknown> = {}) {
  return {
    ROUTES: [{ match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'ANTHROPIC_API_KEY', retries: 0 }],
    ANTHROPIC_API_KEY: 'sk-ant-server-key-budget-tests',
    PROXY_API_KEYS: 'alice:alice-proxy-key-0001,bob:bob-proxy-key-0002,carol:carol-proxy-key-0003,dave:dave-proxy-key-0004,erin:erin-proxy-key-0005',
    KEY_BUDGETS: typeof budgets === 'string' ? budgets : JSON.stringify(budgets),
    DB: db,
    ...extra,
  };
}

const as = (key: string) => ({ 'x-api-key': key });
const db = () => drizzle(env.DB);

async function spendRows(name: string) {
  return db().select().from(keySpend).where(eq(keySpend.apiKeyName, name)).orderBy(keySpend.period);
}

/** Waits for a request's trace write, then: is its trace stored, and what has `key` spent in `period`? */
async function afterWrite(sent: Awaited<ReturnType<typeof post>>, key: string, period: string) {
  await sent.response.arrayBuffer();
  await waitOnExecutionContext(sent.ctx);
  const stored = (await db().select().from(traces).where(eq(traces.id, sent.traceId!))).length > 0;
  const [row] = await db()
    .select()
    .from(keySpend)
    .where(and(eq(keySpend.apiKeyName, key), eq(keySpend.period, period)));
  return { stored, spent: row?.costMicros ?? 0 };
}

async function seedSpend(name: string, period: string, costMicros: number) {
  await db().insert(keySpend).values({ apiKeyName: name, period, costMicros, requests: 1, updatedAt: new Date() });
}

describe('KEY_BUDGETS', () => {
  it('refuses a key over its daily cap with 403 permission_error naming the budget, the spend and the reset; others pass', async () => {
    const { day } = spendPeriods(Date.now());
    await seedSpend('alice', day, 1_234_567);
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const env = settings({ alice: { daily: 1 }, bob: { daily: 1 } });

    const refused = await post('/v1/messages', messageRequest, as('alice-proxy-key-0001'), env);
    expect(refused.response.status).toBe(403);
    const body = (await refused.response.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('permission_error');
    const tomorrow = new Date(`${day}T00:00:00Z`).getTime() + 86_400_000;
    expect(body.error.message).toContain('Budget exceeded for API key "alice"');
    expect(body.error.message).toContain('daily budget (KEY_BUDGETS) is $1.00');
    expect(body.error.message).toContain('spent $1.23 today (UTC)');
    expect(body.error.message).toContain(`resets at ${new Date(tomorrow).toISOString()}`);
    expect(upstream.calls).toHaveLength(0);
    const row = await traceOf(refused);
    expect(row).toMatchObject({ status: 403, errorType: 'permission_error', apiKeyName: 'alice' });

    const passed = await post('/v1/messages', messageRequest, as('bob-proxy-key-0002'), env);
    expect(passed.response.status).toBe(200);
    expect(upstream.calls).toHaveLength(1);
  });

  it('applies monthly caps, resetting on the first of next month, and `*` to keys without their own entry', async () => {
    const { month } = spendPeriods(Date.now());
    await seedSpend('carol', month, 50_000_000);
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const sent = await post('/v1/messages', messageRequest, as('carol-proxy-key-0003'), settings({ '*': { monthly: 50 }, bob: { daily: 10 } }));
    expect(sent.response.status).toBe(403);
    const { error } = (await sent.response.json()) as { error: { message: string } };
    const [year, m] = month.split('-').map(Number) as [number, number];
    expect(error.message).toContain('monthly budget (KEY_BUDGETS) is $50.00');
    expect(error.message).toContain('spent $50.00 this month (UTC)');
    expect(error.message).toContain(`resets at ${new Date(Date.UTC(year, m, 1)).toISOString()}`);
  });

  it('counts each answer’s cost as it is written: the request after the one that crossed the cap is refused', async () => {
    upstream = scriptUpstream(() => jsonResponse(costlyAnswer));
    const env = settings({ dave: { daily: 0.5 } });
    const first = await post('/v1/messages', messageRequest, as('dave-proxy-key-0004'), env);
    expect(first.response.status).toBe(200);
    expect((await traceOf(first)).costMicros).toBe(COSTLY_MICROS);
    const second = await post('/v1/messages', messageRequest, as('dave-proxy-key-0004'), env);
    expect(second.response.status).toBe(200); // $0.45 < $0.50: still inside
    await traceOf(second);
    const third = await post('/v1/messages', messageRequest, as('dave-proxy-key-0004'), env);
    expect(third.response.status).toBe(403);
    expect(((await third.response.json()) as { error: { message: string } }).error.message).toContain('spent $0.90 today');
    expect(upstream.calls).toHaveLength(2);
    await traceOf(third);

    const { day, month } = spendPeriods(Date.now());
    const rows = await spendRows('dave');
    expect(rows.map((r) => [r.period, r.costMicros])).toEqual([
      [month, 2 * COSTLY_MICROS],
      [day, 2 * COSTLY_MICROS],
    ]);
    // the refused request cost nothing but is counted
    expect(rows.map((r) => r.requests)).toEqual([3, 3]);
  });

  it('counts requests that trace sampling leaves out', async () => {
    upstream = scriptUpstream(() => jsonResponse(costlyAnswer));
    const sent = await post('/v1/messages', messageRequest, as('bob-proxy-key-0002'), settings({ bob: { daily: 100 } }, freshD1(), { TRACE_SAMPLE_RATE: '0' }));
    expect(sent.response.status).toBe(200);
    const after = await afterWrite(sent, 'bob', spendPeriods(Date.now()).day);
    expect(after.stored).toBe(false);
    expect(after.spent).toBeGreaterThanOrEqual(COSTLY_MICROS);
  });

  it('sees other isolates’ spend within SPEND_REFRESH_MS, reading D1 in the background, not on the request path', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const shared = freshD1();
    const env = settings({ carol: { daily: 2 } }, shared);
    const start = Date.now();
    const ok = await post('/v1/messages', messageRequest, as('carol-proxy-key-0003'), env);
    expect(ok.response.status).toBe(200);
    await traceOf(ok);
    // The copy was read during that request: no earlier than `start`, no later than now.
    const read = Date.now();

    // Another isolate records $5 for carol.
    const { day } = spendPeriods(start);
    await db()
      .update(keySpend)
      .set({ costMicros: 5_000_000 })
      .where(and(eq(keySpend.apiKeyName, 'carol'), eq(keySpend.period, day)));

    // Within the refresh interval this isolate still uses its copy: the bounded overshoot.
    const stale = await post('/v1/messages', messageRequest, as('carol-proxy-key-0003'), env);
    expect(stale.response.status).toBe(200);
    await traceOf(stale);

    // Past it, the copy is used once more while D1 is re-read in waitUntil; the next request sees $5.
    vi.spyOn(Date, 'now').mockReturnValue(read + SPEND_REFRESH_MS + 1);
    const refreshing = await post('/v1/messages', messageRequest, as('carol-proxy-key-0003'), env);
    expect(refreshing.response.status).toBe(200);
    await traceOf(refreshing);
    const refused = await post('/v1/messages', messageRequest, as('carol-proxy-key-0003'), env);
    expect(refused.response.status).toBe(403);
    expect(((await refused.response.json()) as { error: { message: string } }).error.message).toMatch(/spent \$5\.\d\d today/);
  });

  it('lets requests through when D1 cannot be read (a D1 failure never fails a request)', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // alice is over this cap (test 1 recorded $1.23 today), but D1 cannot say so.
    const sent = await post('/v1/messages', messageRequest, as('alice-proxy-key-0001'), settings({ alice: { daily: 1 } }, freshD1(true)));
    expect(sent.response.status).toBe(200);
    const line = JSON.parse(String(warned.mock.calls[0]![0]));
    expect(line).toMatchObject({
      level: 'warn',
      event: 'key_spend_read_failed',
      trace_id: sent.traceId,
      error: expect.stringContaining('Network connection lost'),
    });
  });

  it('waits at most SPEND_FIRST_READ_WAIT_MS for a D1 that hangs, once per isolate', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const hanging = {
      prepare(sql: string) {
        const statement = env.DB.prepare(sql);
        if (!/^select .* from "key_spend"/i.test(sql)) return statement;
        const never = () => new Promise<never>(() => {});
        return { bind: () => ({ all: never, raw: never, first: never, run: never }), all: never, raw: never, first: never, run: never };
      },
      batch: (statements: D1PreparedStatement[]) => env.DB.batch(statements),
    };
    const started = performance.now();
    const first = await post('/v1/messages', messageRequest, as('erin-proxy-key-0005'), settings({ erin: { daily: 1 } }, hanging as never));
    expect(first.response.status).toBe(200);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(SPEND_FIRST_READ_WAIT_MS - 50);
    expect(waited).toBeLessThan(SPEND_FIRST_READ_WAIT_MS + 1000);
    const t1 = performance.now();
    const second = await post('/v1/messages', messageRequest, as('erin-proxy-key-0005'), settings({ erin: { daily: 1 } }, hanging as never));
    expect(second.response.status).toBe(200);
    expect(performance.now() - t1).toBeLessThan(SPEND_FIRST_READ_WAIT_MS / 2);
  });

  it('starts a new UTC day at zero and a new month at zero without waiting for D1', async () => {
    await seedSpend('frank', '2031-01-31', 3_000_000);
    await seedSpend('frank', '2031-01', 5_000_000);
    const d1 = freshD1() as unknown as D1Database;
    const background: Promise<unknown>[] = [];
    const at = (iso: string) => new Date(iso).getTime();
    expect(await spentBy(d1, 'frank', at('2031-01-31T23:59:59Z'), (work) => background.push(work))).toEqual({ day: 3_000_000, month: 5_000_000 });
    expect(await spentBy(d1, 'frank', at('2031-01-31T23:59:59.900Z'), (work) => background.push(work))).toEqual({ day: 3_000_000, month: 5_000_000 });
    // Past midnight into a new month: both figures are 0 at once; D1 is re-read in the background.
    const beforeRollover = background.length;
    let settled = false;
    const rolled = spentBy(d1, 'frank', at('2031-02-01T00:00:01Z'), (work) => background.push(work.then(() => (settled = true))));
    expect(await rolled).toEqual({ day: 0, month: 0 });
    expect(settled).toBe(false);
    expect(background.length).toBe(beforeRollover + 1);
    await Promise.all(background);

    // A new day inside the same month keeps the month's figure.
    await seedSpend('frank', '2031-02', 7_000_000);
    const d1b = freshD1() as unknown as D1Database;
    expect(await spentBy(d1b, 'frank', at('2031-02-01T12:00:00Z'), () => {})).toEqual({ day: 0, month: 7_000_000 });
    expect(await spentBy(d1b, 'frank', at('2031-02-02T00:00:01Z'), () => {})).toEqual({ day: 0, month: 7_000_000 });
  });

  it('still counts the cost of a request whose trace D1 refused twice', async () => {
    upstream = scriptUpstream(() => jsonResponse(costlyAnswer));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const refusesTraces = {
      prepare(sql: string) {
        if (/^insert into "traces"/i.test(sql)) throw new Error('D1_ERROR: too many requests');
        return env.DB.prepare(sql);
      },
      batch: (statements: D1PreparedStatement[]) => env.DB.batch(statements),
    };
    const sent = await post('/v1/messages', messageRequest, as('erin-proxy-key-0005'), settings({ erin: { monthly: 100 } }, refusesTraces as never));
    expect(sent.response.status).toBe(200);
    const after = await afterWrite(sent, 'erin', spendPeriods(Date.now()).month);
    expect(after.stored).toBe(false);
    expect(after.spent).toBeGreaterThanOrEqual(COSTLY_MICROS);
  });

  it('never blocks count_tokens, nor clients without a named proxy key', async () => {
    upstream = scriptUpstream(() => jsonResponse({ input_tokens: 9 }));
    const env = settings({ '*': { daily: 0 } });
    const counted = await post('/v1/messages/count_tokens', messageRequest, as('alice-proxy-key-0001'), env);
    expect(counted.response.status).toBe(200);
    const own = await post('/v1/messages', messageRequest, as('sk-ant-own-key-000000000001'), {
      ...env,
      ROUTES: [{ match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'client', retries: 0 }],
      PROXY_API_KEYS: undefined,
    });
    expect(own.response.status).toBe(200);
  });

  it('reports a malformed KEY_BUDGETS by field, as ROUTES does', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const sent = await post('/v1/messages', messageRequest, as('alice-proxy-key-0001'), settings({ alice: { daily: -1 } }));
    expect(sent.response.status).toBe(500);
    const { error } = (await sent.response.json()) as { error: { type: string; message: string } };
    expect(error.type).toBe('api_error');
    expect(error.message).toMatch(/^KEY_BUDGETS is malformed: KEY_BUDGETS\.alice\.daily: /);
    expect(() => parseBudgets('{"alice": {}}')).toThrow(/a budget needs daily, monthly or both/);
    expect(() => parseBudgets('{"alice": {"weekly": 3}}')).toThrow(/KEY_BUDGETS\.alice\.weekly/);
    expect(() => parseBudgets('not json')).toThrow(/KEY_BUDGETS is not valid JSON/);
    expect(parseBudgets(undefined)).toBeNull();
  });
});

describe('checkBudget', () => {
  const now = Date.UTC(2026, 10, 30, 22, 15);
  it('passes under every cap and names the first cap reached', () => {
    expect(() => checkBudget('k', { daily: 1, monthly: 10 }, { day: 999_999, month: 9_999_999 }, now)).not.toThrow();
    expect(() => checkBudget('k', { daily: 1, monthly: 10 }, { day: 1_000_000, month: 1_000_000 }, now)).toThrow(
      'resets at 2026-12-01T00:00:00.000Z (in 1 h 45 min)',
    );
    expect(() => checkBudget('k', { monthly: 10 }, { day: 0, month: 10_000_001 }, now)).toThrow(
      /monthly budget .* is \$10\.00 and it has spent \$10\.00 this month/,
    );
  });
});
