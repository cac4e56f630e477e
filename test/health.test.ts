import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { allTraces, send } from './helpers/worker';

afterEach(() => vi.restoreAllMocks());

/** env.DB, except that every query throws as a D1 outage does. */
const brokenD1 = {
  prepare() {
    throw new Error('D1_ERROR: Network connection lost.');
  },
  batch() {
    throw new Error('D1_ERROR: Network connection lost.');
  },
};

/** A D1 that answers, with only `applied` migrations recorded. */
function d1WithMigrations(applied: number) {
  return {
    prepare(sql: string) {
      if (/d1_migrations/.test(sql)) return { first: async () => ({ applied }) };
      return env.DB.prepare(sql);
    },
  };
}

const SECRET = 'sk-health-test-upstream-secret-000000000000';
const ROUTES = [
  { match: 'claude-*', provider: 'openai', baseUrl: 'https://private-gateway.internal.example/v1', model: 'gpt-4.1', apiKey: 'OPENAI_API_KEY' },
  { match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'client' },
];

async function health(overrides: Record<string, unknown> = {}, method = 'GET') {
  const { response } = await send('/health', { method }, overrides);
  const text = await response.text();
  return { response, text, body: text ? JSON.parse(text) : null };
}

describe('GET /health', () => {
  it('answers 200 with the version, D1 latency, applied migrations and the number of routes', async () => {
    const deployed = { id: 'version-0d4c9f', tag: '', timestamp: '2026-11-23T00:00:00Z' };
    const { response, body } = await health({ ROUTES, OPENAI_API_KEY: SECRET, PROXY_API_KEYS: 'team:sk-proxy-team-key', CF_VERSION_METADATA: deployed });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(body).toEqual({
      status: 'ok',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      version_id: 'version-0d4c9f',
      d1: { ok: true, latency_ms: expect.any(Number), migrations_applied: env.TEST_MIGRATIONS.length, migrations_expected: env.TEST_MIGRATIONS.length },
      routes: 2,
    });
  });

  it('never shows secrets or route targets', async () => {
    const { text } = await health({ ROUTES, OPENAI_API_KEY: SECRET, PROXY_API_KEYS: 'team:sk-proxy-team-key', ADMIN_TOKEN: 'admin-token-health' });
    for (const hidden of [SECRET, 'sk-proxy-team-key', 'admin-token-health', 'private-gateway', 'gpt-4.1', 'OPENAI_API_KEY'])
      expect(text).not.toContain(hidden);
  });

  it('answers 503 with the same shape and the reason when D1 throws, and the worker stays up', async () => {
    const { response, body } = await health({ DB: brokenD1 });
    expect(response.status).toBe(503);
    expect(body).toMatchObject({ status: 'error', d1: { ok: false, migrations_applied: null }, routes: 1 });
    expect(body.reason).toMatch(/^D1 query failed: D1_ERROR: Network connection lost/);
    expect(Object.keys(body).sort()).toEqual(['d1', 'reason', 'routes', 'status', 'version', 'version_id']);
    expect((await health()).response.status).toBe(200);
  });

  it('is degraded (still 200) when migrations are missing, naming how many', async () => {
    const { response, body } = await health({ DB: d1WithMigrations(2) });
    expect(response.status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.d1).toMatchObject({ ok: true, migrations_applied: 2 });
    expect(body.reason).toContain(`${env.TEST_MIGRATIONS.length - 2} D1 migration(s) not applied`);
  });

  it('answers 503 when ROUTES cannot be read, without quoting it', async () => {
    const { response, body, text } = await health({ ROUTES: '[{"match":"*","provider":"openai","baseUrl":"ftp://secret-host.example"}]' });
    expect(response.status).toBe(503);
    expect(body).toMatchObject({ status: 'error', routes: null, d1: { ok: true } });
    expect(body.reason).toMatch(/^ROUTES is invalid/);
    expect(text).not.toContain('secret-host');
  });

  it('reports a malformed KEY_BUDGETS as an error and a malformed ALERTS as degraded', async () => {
    const budgets = await health({ KEY_BUDGETS: '{"alice": {"daily": "five"}}' });
    expect(budgets.response.status).toBe(503);
    expect(budgets.body.reason).toMatch(/^KEY_BUDGETS is invalid/);
    const alerts = await health({ ALERTS: '{"errorRate": 5}' });
    expect(alerts.response.status).toBe(200);
    expect(alerts.body).toMatchObject({ status: 'degraded', reason: expect.stringMatching(/^ALERTS is invalid/) });
  });

  it('answers HEAD, and is not traced (pollers would fill the traces)', async () => {
    const before = (await allTraces()).length;
    const { response, text } = await health({}, 'HEAD');
    expect(response.status).toBe(200);
    expect(text).toBe('');
    await health();
    expect((await allTraces()).length).toBe(before);
  });

  it('reports a malformed scalar setting as degraded, without quoting its value, and serves with the default', async () => {
    const { response } = await send('/health', {}, { TRACE_SAMPLE_RATE: 'lots-of-secret-value', MAX_REQUEST_BYTES: '-5' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; reason: string };
    expect(body.status).toBe('degraded');
    expect(body.reason).toContain('TRACE_SAMPLE_RATE is not a number from 0 to 1: its default applies');
    expect(body.reason).toContain('MAX_REQUEST_BYTES is not a positive whole number of bytes: its default applies');
    expect(JSON.stringify(body)).not.toContain('lots-of-secret-value');
  });
});
