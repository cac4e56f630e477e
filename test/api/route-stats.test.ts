import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueSession } from '../../src/ui/session-cookie';
import { HOUR, seedTraces } from '../helpers/seed';
import { send } from '../helpers/worker';

const ADMIN_TOKEN = 'route-stats-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const now = Date.now();

beforeAll(async () => {
  const row = (routeName: string | null, durationMs: number, costMicros: number | null, extra: Record<string, unknown> = {}) => ({
    at: now - HOUR + durationMs,
    routeName,
    routeReason: routeName ? `match claude-*; ${routeName}` : null,
    requestedModel: 'claude-sonnet-4-6',
    targetModel: routeName === 'think' ? 'deepseek-reasoner' : 'claude-sonnet-4-6',
    durationMs,
    ttftMs: durationMs / 10,
    inputTokens: 100,
    outputTokens: 10,
    costMicros,
    ...extra,
  });
  await seedTraces([
    row('default', 100, 1000),
    row('default', 200, 1000),
    row('default', 300, 1000),
    row('think', 1000, 500),
    row('think', 3000, 700, { status: 502, errorType: 'api_error', endReason: 'error' }),
    row(null, 5, null, { status: 404, errorType: 'not_found_error', requestedModel: 'gpt-4o', targetModel: null }),
  ]);
});

describe('decisions, visible', () => {
  it('/api/stats breaks requests, cost and latency down by route', async () => {
    const { response } = await send(`/api/stats?since=${now - 2 * HOUR}`, { headers: admin }, { ADMIN_TOKEN });
    const body = (await response.json()) as { requests: number; routes: Record<string, unknown>[] };
    expect(body.requests).toBe(6);
    expect(body.routes).toEqual([
      {
        route: 'default',
        requests: 3,
        errors: 0,
        input_tokens: 300,
        output_tokens: 30,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
        cost_micros: 3000,
        duration: { p50: 200, p95: 300, p99: 300 },
        ttft: { p50: 20, p95: 30, p99: 30 },
      },
      {
        route: 'think',
        requests: 2,
        errors: 1,
        input_tokens: 200,
        output_tokens: 20,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
        cost_micros: 1200,
        duration: { p50: 1000, p95: 3000, p99: 3000 },
        ttft: { p50: 100, p95: 300, p99: 300 },
      },
      expect.objectContaining({ route: null, requests: 1, errors: 1, cost_micros: null }),
    ]);
  });

  it("the viewer's overview shows the routes, each linking to its traces; the list filters by route", async () => {
    const cookie = `cp_ui=${await issueSession(drizzle(env.DB), ADMIN_TOKEN)}`;
    const overview = await (await send('/ui?range=24h', { headers: { cookie } }, { ADMIN_TOKEN })).response.text();
    const table = overview.slice(overview.indexOf('<table id="routes">'), overview.indexOf('</table>', overview.indexOf('<table id="routes">')));
    expect(table).toContain('<a href="/ui/traces?route=default&amp;range=24h">default</a>');
    expect(table).toContain('<a href="/ui/traces?route=think&amp;range=24h">think</a>');
    expect(table).toContain('(not routed)');
    expect(table).toMatch(/default<\/a><\/td><td class="num">3<\/td><td class="num">50%<\/td>/);
    expect(table).toContain('200 ms / 300 ms / 300 ms');

    const list = await (await send('/ui/traces?route=think&range=24h', { headers: { cookie } }, { ADMIN_TOKEN })).response.text();
    expect(list.match(/deepseek-reasoner/g)).toHaveLength(2);
    const api = (await (await send('/api/traces?route=think&range=24h', { headers: admin }, { ADMIN_TOKEN })).response.json()) as {
      data: { route_name: string }[];
    };
    expect(api.data.map((trace) => trace.route_name)).toEqual(['think', 'think']);
  });
});
