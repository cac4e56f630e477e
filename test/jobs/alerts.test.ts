import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { alertState, traces, type AlertState } from '../../src/storage/schema';
import worker from '../../src/index';
import { parseAlerts } from '../../src/config/alerts';
import { transition, type Reading } from '../../src/jobs/alerts';
import { seedTraces } from '../helpers/seed';
import { scriptUpstream } from '../helpers/worker';

const MINUTE = 60_000;
const WEBHOOK = 'https://hooks.slack.test/services/T000/B000/secret-path';

let webhook: ReturnType<typeof scriptUpstream>;
let webhookStatus = 200;
beforeEach(async () => {
  webhookStatus = 200;
  webhook = scriptUpstream(() => new Response('ok', { status: webhookStatus }));
  // Storage is per file: each test starts from no traces and no alert state.
  await drizzle(env.DB).delete(traces);
  await drizzle(env.DB).delete(alertState);
});
afterEach(() => {
  webhook.restore();
  vi.restoreAllMocks();
});

async function cron(now: number, alerts: unknown, cronExpression = '*/5 * * * *') {
  const ctx = createExecutionContext();
  const settings = { ALERTS: JSON.stringify(alerts), ALERT_WEBHOOK_URL: WEBHOOK };
  await worker.scheduled(createScheduledController({ scheduledTime: now, cron: cronExpression }), { ...env, ...settings } as never, ctx);
  await waitOnExecutionContext(ctx);
  const posted = webhook.calls.splice(0).map((call) => ({ url: call.url, body: JSON.parse(call.body) }));
  return posted;
}

/** `n` requests to a model at `at`, `failed` of them with a 502. */
function requests(at: number, model: string, n: number, failed: number, extra: { durationMs?: number; costMicros?: number } = {}) {
  return Array.from({ length: n }, (_, i) => ({
    at: at + i,
    requestedModel: 'claude-sonnet-4-6',
    targetModel: model,
    provider: 'openai',
    durationMs: extra.durationMs ?? 800,
    costMicros: extra.costMicros ?? 1000,
    ...(i < failed ? { status: 502, errorType: 'api_error', errorMessage: 'upstream 502', endReason: 'error' } : {}),
  }));
}

describe('ALERTS on the cron', () => {
  it('posts a Slack-compatible message with the numbers when an error rate crosses its threshold', async () => {
    const now = Date.now();
    await seedTraces([...requests(now - 10 * MINUTE, 'gpt-4.1', 10, 4), ...requests(now - 10 * MINUTE, 'deepseek-chat', 10, 1)]);
    const posted = await cron(now, { errorRate: 0.2 });
    expect(posted).toHaveLength(1);
    expect(posted[0]!.url).toBe(WEBHOOK);
    const message = posted[0]!.body;
    expect(message.text).toBe(
      ':rotating_light: claude-proxy alert: error rate of gpt-4.1 is 40.0% over the last 15 min, above 20.0% (4 of 10 requests failed).',
    );
    expect(message.attachments[0].fields).toContainEqual({ title: 'value', value: '40.0%', short: true });
    expect(message.alert).toMatchObject({
      key: 'error_rate:gpt-4.1',
      kind: 'error_rate',
      model: 'gpt-4.1',
      state: 'firing',
      value: 0.4,
      threshold: 0.2,
      requests: 10,
      errors: 4,
      window_minutes: 15,
    });
  });

  it('does not repeat within the cool-down, reminds after it, and announces the resolution once', async () => {
    const start = Date.now() - 3 * 60 * MINUTE;
    const alerts = { errorRate: 0.2, cooldownMinutes: 60 };
    await seedTraces(requests(start - 5 * MINUTE, 'gpt-4.1', 10, 5));
    expect((await cron(start, alerts)).map((p) => p.body.alert.state)).toEqual(['firing']);

    // Still failing 10 minutes later: inside the cool-down, nothing is sent.
    await seedTraces(requests(start + 5 * MINUTE, 'gpt-4.1', 10, 5));
    expect(await cron(start + 10 * MINUTE, alerts)).toEqual([]);

    // Still failing after the cool-down: one reminder, saying since when.
    await seedTraces(requests(start + 60 * MINUTE, 'gpt-4.1', 10, 5));
    const reminder = await cron(start + 65 * MINUTE, alerts);
    expect(reminder.map((p) => p.body.alert.state)).toEqual(['still_firing']);
    expect(reminder[0]!.body.text).toContain(`firing since ${new Date(start).toISOString()}`);

    // Unchanged (same error rate), 5 minutes after the reminder: the cool-down runs from it.
    await seedTraces(requests(start + 66 * MINUTE, 'gpt-4.1', 10, 5));
    expect(await cron(start + 70 * MINUTE, alerts)).toEqual([]);

    // Healthy again: resolved, once.
    await seedTraces(requests(start + 80 * MINUTE, 'gpt-4.1', 10, 0));
    const resolved = await cron(start + 85 * MINUTE, alerts);
    expect(resolved.map((p) => p.body.alert.state)).toEqual(['resolved']);
    expect(resolved[0]!.body.text).toBe(':white_check_mark: claude-proxy resolved: error rate of gpt-4.1 is 0.0% over the last 15 min, back within 20.0%.');
    expect(await cron(start + 90 * MINUTE, alerts)).toEqual([]);

    const [state] = await drizzle(env.DB).select().from(alertState);
    expect(state).toMatchObject({ key: 'error_rate:gpt-4.1', firing: false, announced: false });
  });

  it('watches p95 duration per model and spend per hour, and resolves a model that went quiet', async () => {
    const now = Date.now();
    // 20 requests of $0.10 in 15 minutes: $8/h. Durations 1..20 s: p95 19 s.
    await seedTraces(
      Array.from({ length: 20 }, (_, i) => requests(now - 14 * MINUTE + i * 1000, 'gpt-4.1', 1, 0, { durationMs: (i + 1) * 1000, costMicros: 100_000 })[0]!),
    );
    const alerts = { p95Ms: 15_000, spendPerHour: 5 };
    const posted = await cron(now, alerts);
    expect(posted.map((p) => p.body.alert.key).sort()).toEqual(['p95_ms:gpt-4.1', 'spend_per_hour']);
    const spend = posted.find((p) => p.body.alert.key === 'spend_per_hour')!.body;
    expect(spend.alert.value).toBeCloseTo(8, 6);
    expect(spend.text).toContain('spend is $8.00/h over the last 15 min, above $5.00/h');
    expect(posted.find((p) => p.body.alert.key === 'p95_ms:gpt-4.1')!.body.alert.value).toBe(19_000);

    // An hour later nothing is in the window: both clear.
    const later = await cron(now + 60 * MINUTE, alerts);
    expect(later.map((p) => [p.body.alert.key, p.body.alert.state]).sort()).toEqual([
      ['p95_ms:gpt-4.1', 'resolved'],
      ['spend_per_hour', 'resolved'],
    ]);
  });

  it('retries a notice the webhook did not take, and never runs on the retention cron', async () => {
    const now = Date.now();
    await seedTraces(requests(now - MINUTE, 'gpt-4.1', 4, 4));
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
    webhookStatus = 500;
    expect(await cron(now, { errorRate: 0.5 })).toHaveLength(1);
    expect(JSON.parse(String(warned.mock.calls[0]![0]))).toMatchObject({
      event: 'alert_not_delivered',
      trace_id: null,
      alert: 'error_rate:gpt-4.1',
      error: 'webhook answered 500',
    });
    webhookStatus = 200;
    expect(await cron(now + MINUTE, { errorRate: 0.5 }, '17 3 * * *')).toEqual([]);
    const retried = await cron(now + 5 * MINUTE, { errorRate: 0.5 });
    expect(retried.map((p) => p.body.alert.state)).toEqual(['firing']);
    expect(retried[0]!.body.alert.since).toBe(new Date(now).toISOString());
  });

  it('honours minRequests and leaves requests that never reached a model out', async () => {
    const now = Date.now();
    await seedTraces([...requests(now - MINUTE, 'gpt-4.1', 2, 2), { at: now - MINUTE, status: 400, errorType: 'invalid_request_error', endReason: 'error' }]);
    expect(await cron(now, { errorRate: 0.1, minRequests: 3 })).toEqual([]);
    expect((await cron(now + MINUTE, { errorRate: 0.1 })).map((p) => p.body.alert.key)).toEqual(['error_rate:gpt-4.1']);
  });

  it('keeps a firing alert as it is while too few requests come to judge it, and says so when the model goes quiet', async () => {
    const start = Date.now() - 2 * 60 * MINUTE;
    const alerts = { errorRate: 0.2, minRequests: 3 };
    await seedTraces(requests(start - MINUTE, 'gpt-4.1', 4, 4));
    expect((await cron(start, alerts)).map((p) => p.body.alert.state)).toEqual(['firing']);
    await seedTraces(requests(start + 20 * MINUTE, 'gpt-4.1', 2, 0));
    expect(await cron(start + 25 * MINUTE, alerts)).toEqual([]);
    expect((await drizzle(env.DB).select().from(alertState))[0]).toMatchObject({ firing: true, announced: true });
    const quiet = await cron(start + 60 * MINUTE, alerts);
    expect(quiet.map((p) => p.body.text)).toEqual([':white_check_mark: claude-proxy resolved: error rate of gpt-4.1: no requests over the last 15 min.']);
  });

  it('logs a failed run as one JSON line', async () => {
    const failed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '*/5 * * * *' }), { ...env, ALERTS: '{"errorRate": 2}' } as never, ctx);
    await waitOnExecutionContext(ctx);
    expect(JSON.parse(String(failed.mock.calls[0]![0]))).toMatchObject({
      level: 'error',
      event: 'alert_run_failed',
      trace_id: null,
      cron: '*/5 * * * *',
      error: expect.stringMatching(/^ALERTS is malformed: ALERTS\.errorRate/),
    });
  });

  it('validates ALERTS like the other JSON settings', () => {
    expect(parseAlerts(undefined)).toBeNull();
    expect(parseAlerts('{"errorRate": 0.05}')).toEqual({ errorRate: 0.05, windowMinutes: 15, cooldownMinutes: 60, minRequests: 1 });
    expect(() => parseAlerts('{"errorRate": 5}')).toThrow(/ALERTS\.errorRate/);
    expect(() => parseAlerts('{"windowMinutes": 5}')).toThrow(/set at least one of errorRate, p95Ms, spendPerHour/);
    expect(() => parseAlerts('{"p95": 100}')).toThrow(/ALERTS\.p95/);
  });
});

describe('transition', () => {
  const reading = (crossed: boolean): Reading => ({
    key: 'error_rate:m',
    kind: 'error_rate',
    model: 'm',
    value: crossed ? 0.5 : 0,
    threshold: 0.2,
    judged: true,
    crossed,
    requests: 10,
    errors: 5,
  });
  const state = (fields: Partial<AlertState>): AlertState => ({
    key: 'error_rate:m',
    firing: false,
    since: new Date(0),
    notifiedAt: null,
    announced: false,
    value: 0,
    threshold: 0.2,
    updatedAt: new Date(0),
    ...fields,
  });
  const hour = 60 * MINUTE;

  it('stays silent when a condition fires again within the cool-down of its last message (flapping), then speaks after it', () => {
    const lastSent = new Date(10 * hour);
    const refire = transition(reading(true), state({ firing: false, notifiedAt: lastSent }), 10 * hour + 10 * MINUTE, hour);
    expect(refire.notice).toBeNull();
    expect(refire.next).toMatchObject({ firing: true, announced: false });
    // its end is not announced, since its start was not
    expect(transition(reading(false), { ...state(refire.next), updatedAt: new Date() }, 10 * hour + 20 * MINUTE, hour).notice).toBeNull();
    // still firing past the cool-down: announced as a new alert
    expect(transition(reading(true), { ...state(refire.next), updatedAt: new Date() }, 11 * hour, hour).notice).toBe('firing');
  });
});
