import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { HOUR, seedTraces } from '../helpers/seed';
import { send } from '../helpers/worker';

/**
 * The RPC entrypoint, called the way another Worker calls it: through a service binding
 * (CLAUDE_PROXY, declared in vitest.config.ts), and checked against /api on the same rows.
 */

const rpc = env.CLAUDE_PROXY;
const ADMIN_TOKEN = 'admin-token-for-rpc-tests-0001';
const now = Date.now();
let seeded: Awaited<ReturnType<typeof seedTraces>>;

beforeAll(async () => {
  seeded = await seedTraces([
    {
      at: now - 3 * HOUR,
      sessionId: 'rpc-session',
      requestedModel: 'claude-sonnet-4-6',
      targetModel: 'gpt-4.1',
      provider: 'openai',
      inputTokens: 100,
      outputTokens: 10,
      costMicros: 280,
      durationMs: 900,
      ttftMs: 200,
      stopReason: 'tool_use',
      requestBody: '{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"hi"}]}',
      responseBody: '{"type":"message","content":[]}',
    },
    {
      at: now - 2 * HOUR,
      sessionId: 'rpc-session',
      requestedModel: 'claude-sonnet-4-6',
      targetModel: 'gpt-4.1',
      provider: 'openai',
      status: 502,
      errorType: 'api_error',
      errorMessage: 'upstream broke',
      endReason: 'error',
      durationMs: 30,
    },
    {
      at: now - 1 * HOUR,
      requestedModel: 'claude-haiku-4-5',
      targetModel: 'claude-haiku-4-5',
      provider: 'anthropic',
      inputTokens: 10,
      outputTokens: 5,
      costMicros: 35,
      durationMs: 400,
      ttftMs: 90,
    },
    { at: now - 40 * 24 * HOUR, requestedModel: 'claude-haiku-4-5', targetModel: 'claude-haiku-4-5', provider: 'anthropic', durationMs: 10 },
  ]);
});

async function api(path: string) {
  const { response } = await send(path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, { ADMIN_TOKEN });
  expect(response.status).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, compared field by field
  return (await response.json()) as Record<string, any>;
}

describe('ClaudeProxyRpc over a service binding', () => {
  it('lists traces with the filters of /api/traces, and the same rows', async () => {
    const viaRpc = await rpc.listTraces({ model: 'gpt-4.1', range: '24h' });
    const viaApi = await api('/api/traces?model=gpt-4.1&range=24h');
    expect(viaRpc.data.map((t) => t.id)).toEqual(viaApi.data.map((t: { id: string }) => t.id));
    expect(viaRpc.data.map((t) => t.id)).toEqual([seeded[1]!.id, seeded[0]!.id]);
    // typed results: camelCase fields and real Dates
    expect(viaRpc.data[0]!.createdAt).toBeInstanceOf(Date);
    expect(viaRpc.data[0]!.errorType).toBe('api_error');

    const failed = await rpc.listTraces({ status: '5xx', since: new Date(now - 24 * HOUR) });
    expect(failed.data.map((t) => t.id)).toEqual([seeded[1]!.id]);
    const bySession = await rpc.listTraces({ sessionId: 'rpc-session', errorType: 'api_error' });
    expect(bySession.data.map((t) => t.id)).toEqual([seeded[1]!.id]);
    const byTarget = await rpc.listTraces({ targetModel: 'claude-haiku-4-5', requestedModel: 'claude-haiku-4-5', until: now - 24 * HOUR });
    expect(byTarget.data.map((t) => t.id)).toEqual([seeded[3]!.id]);
  });

  it('pages with the cursor', async () => {
    const first = await rpc.listTraces({ limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.hasMore).toBe(true);
    const second = await rpc.listTraces({ limit: 2, cursor: first.nextCursor! });
    expect([...first.data, ...second.data].map((t) => t.id)).toEqual(
      seeded
        .map((t) => t.id)
        .sort()
        .reverse(),
    );
    expect(second.hasMore).toBe(false);
  });

  it('gets one trace with its bodies parsed, and null for an unknown id', async () => {
    const trace = await rpc.getTrace(seeded[0]!.id);
    expect(trace).toMatchObject({ id: seeded[0]!.id, targetModel: 'gpt-4.1', costMicros: 280 });
    expect(trace!.requestBody).toEqual({ model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'hi' }] });
    expect(trace!.responseBody).toEqual({ type: 'message', content: [] });
    expect(await rpc.getTrace('01NOSUCHTRACE0000000000000')).toBeNull();
  });

  it('summarises a session like /api/sessions/:id', async () => {
    const viaRpc = await rpc.getSession('rpc-session');
    const viaApi = await api('/api/sessions/rpc-session');
    expect(viaRpc!.session).toMatchObject({ sessionId: 'rpc-session', requests: 2, errors: 1, inputTokens: 100, costMicros: 280, targetModels: ['gpt-4.1'] });
    expect(viaApi.session).toMatchObject({ requests: 2, errors: 1, cost_micros: 280 });
    expect(viaRpc!.traces.map((t) => t.id)).toEqual([seeded[0]!.id, seeded[1]!.id]);
    const withBodies = await rpc.getSession('rpc-session', { bodies: true });
    expect((withBodies!.traces[0] as { requestBody: unknown }).requestBody).toMatchObject({ model: 'claude-sonnet-4-6' });
    expect(await rpc.getSession('no-such-session')).toBeNull();
    const sessions = await rpc.listSessions({ range: '24h' });
    expect(sessions.data.map((s) => s.sessionId)).toEqual(['rpc-session']);
  });

  it('gives the same stats as /api/stats', async () => {
    const viaRpc = await rpc.stats({ range: '24h' });
    const viaApi = await api('/api/stats?range=24h');
    expect(viaRpc.requests).toBe(3);
    expect(viaRpc.errors).toBe(1);
    expect(viaRpc.costMicros).toBe(315);
    expect(viaApi).toMatchObject({ requests: viaRpc.requests, errors: viaRpc.errors, cost_micros: viaRpc.costMicros });
    const gpt = viaRpc.models.find((m) => m.model === 'gpt-4.1')!;
    expect(gpt).toMatchObject({ requests: 2, errors: 1, duration: { p50: 30, p95: 900 } });
  });

  it('reports health, and refuses bad arguments with the /api message', async () => {
    expect(await rpc.health()).toMatchObject({ status: 'ok', d1: { ok: true } });
    // An RPC promise is settled once, here: vitest's `.rejects` would leave a second one unhandled.
    const refused = (call: Promise<unknown>) =>
      call.then(
        () => null,
        (err: Error) => err.message,
      );
    expect(await refused(rpc.listTraces({ range: '2w' }))).toMatch(/range: expected one of 1h, 24h/);
    expect(await refused(rpc.stats({ since: 'yesterday-ish' }))).toMatch(/since: expected epoch milliseconds/);
  });
});
