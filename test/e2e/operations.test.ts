import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startProxy, startUpstream } from './harness';

/**
 * The operations surface on the real worker under wrangler's harness: /health over HTTP, and an
 * alert delivered by the cron to a webhook receiver on loopback, from traces real requests left.
 */

const answer = {
  id: 'msg_ops',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-6',
  content: [{ type: 'text', text: 'ok' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 5, output_tokens: 1 },
};

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let receiver: Awaited<ReturnType<typeof startUpstream>>;
let proxy: Awaited<ReturnType<typeof startProxy>>;

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    const broken = JSON.parse(req.body).model === 'claude-broken';
    res.writeHead(broken ? 500 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(broken ? { type: 'error', error: { type: 'api_error', message: 'Internal server error' } } : answer));
  });
  receiver = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  proxy = await startProxy({
    ROUTES: JSON.stringify([{ match: '*', provider: 'anthropic', baseUrl: upstream.url, apiKey: 'client', retries: 0 }]),
    ALERTS: JSON.stringify({ errorRate: 0.5, windowMinutes: 15 }),
    ALERT_WEBHOOK_URL: `${receiver.url}/hooks/claude-proxy`,
  });
});

afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
  await receiver?.close();
});

function ask(model: string) {
  return fetch(`${proxy.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-e2e-ops-key', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

describe('operations, end to end', () => {
  it('GET /health answers with D1 and the migrations applied', async () => {
    const response = await fetch(`${proxy.url}/health`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ status: 'ok', d1: { ok: true }, routes: 1 });
    expect(body.d1.migrations_applied).toBe(body.d1.migrations_expected);
  });

  it('the cron posts an alert to the webhook when a model’s error rate crosses ALERTS.errorRate', async () => {
    for (const model of ['claude-broken', 'claude-broken', 'claude-broken', 'claude-sonnet-4-6']) {
      const response = await ask(model);
      expect(response.status).toBe(model === 'claude-broken' ? 500 : 200);
      await response.arrayBuffer();
    }
    await eventually(async () => expect(await proxy.query<{ n: number }>('SELECT COUNT(*) AS n FROM traces')).toEqual([{ n: 4 }]));

    await proxy.harness.getWorker().scheduled({ cron: '*/5 * * * *', scheduledTime: new Date() });
    await eventually(async () => expect(receiver.requests).toHaveLength(1));
    const [hook] = receiver.requests;
    expect(hook).toMatchObject({ method: 'POST', path: '/hooks/claude-proxy' });
    expect(hook!.headers['content-type']).toBe('application/json');
    const message = JSON.parse(hook!.body);
    expect(message.text).toContain('error rate of claude-broken is 100.0% over the last 15 min, above 50.0% (3 of 3 requests failed)');
    expect(message.alert).toMatchObject({ key: 'error_rate:claude-broken', state: 'firing', requests: 3, errors: 3 });

    // The next run, inside the cool-down: nothing more.
    await proxy.harness.getWorker().scheduled({ cron: '*/5 * * * *', scheduledTime: new Date() });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requests).toHaveLength(1);
    expect(await proxy.query('SELECT key, firing, announced FROM alert_state')).toEqual([{ key: 'error_rate:claude-broken', firing: 1, announced: 1 }]);
  });
});
