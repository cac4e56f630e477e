import { afterEach, describe, expect, it } from 'vitest';
import { accumulateSse } from '../../src/recording/summarize';
import { CLAUDE_CODE_BETAS, claudeCodeRequest } from '../fixtures/claude-code';
import { type Answer, makeServiceAccount, type Reply, scriptedVertex } from '../helpers/platforms.mjs';
import { post, scriptUpstream, traceOf } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => upstream?.restore());

const PROXY_KEY = 'proxy-key-vertex-tests-0001';
const client = { 'x-api-key': PROXY_KEY, 'anthropic-version': '2023-06-01', 'anthropic-beta': CLAUDE_CODE_BETAS };
const TOKEN_URI = 'https://oauth2.googleapis.com/token';
const ask = { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] };

const route = (extra: Record<string, unknown> = {}) => ({
  match: 'claude-*',
  provider: 'vertex',
  project: 'proxy-test-project',
  region: 'us-east5',
  serviceAccount: 'GCP_SERVICE_ACCOUNT',
  ...extra,
});

/**
 * A fresh service account (each test its own: tokens are cached per isolate, per account), a
 * scripted Vertex and token endpoint that know its public key, and the proxy's settings.
 */
async function vertex(reply: Reply, options: { tokenSeconds?: number; region?: string; routes?: unknown[] } = {}) {
  const account = await makeServiceAccount({ tokenUri: TOKEN_URI });
  const platform = scriptedVertex({ account, project: 'proxy-test-project', region: options.region ?? 'us-east5', reply, tokenSeconds: options.tokenSeconds });
  upstream = scriptUpstream((request) => platform.handle(request));
  const settings = {
    ROUTES: options.routes ?? [route({ region: options.region ?? 'us-east5' })],
    GCP_SERVICE_ACCOUNT: account.json,
    PROXY_API_KEYS: `team:${PROXY_KEY}`,
  };
  return { platform, account, settings };
}

const say =
  (text: string): Reply =>
  () => ({ text });

describe('Vertex AI', () => {
  it('streams a Claude Code turn with a token from a verified JWT: Anthropic SSE through, traced with the request id, usage and cost', async () => {
    const { platform, account, settings } = await vertex(() => ({ tool: { name: 'Bash', input: { command: 'wc -c notes.txt' }, id: 'toolu_vrtx_1' } }));
    const sent = await post('/v1/messages?beta=true', claudeCodeRequest(), client, settings);

    expect(sent.response.status).toBe(200);
    const text = await sent.response.text();
    expect(accumulateSse(text).result()?.content).toEqual([{ type: 'tool_use', id: 'toolu_vrtx_1', name: 'Bash', input: { command: 'wc -c notes.txt' } }]);
    expect(platform.exchanges).toEqual([
      {
        grantType: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        error: null,
        claims: {
          iss: account.email,
          aud: TOKEN_URI,
          scope: 'https://www.googleapis.com/auth/cloud-platform',
          iat: expect.any(Number),
          exp: expect.any(Number),
        },
      },
    ]);
    const call = platform.calls[0]!;
    expect(call.refused).toBeNull();
    expect(call.path).toBe('/v1/projects/proxy-test-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict');
    expect(call.body).toMatchObject({ anthropic_version: 'vertex-2023-10-16', stream: true });
    expect(call.headers.get('anthropic-beta')).toBe(
      'interleaved-thinking-2025-05-14,context-1m-2025-08-07,context-management-2025-06-27,tool-search-tool-2025-10-19',
    );
    expect(upstream!.calls[1]!.url).toBe(`https://us-east5-aiplatform.googleapis.com${call.path}`);

    const row = await traceOf(sent);
    expect(row).toMatchObject({
      provider: 'vertex',
      targetModel: 'claude-sonnet-4-5@20250929',
      endReason: 'complete',
      stopReason: 'tool_use',
      inputTokens: 1200,
      outputTokens: 40,
      cacheReadInputTokens: 900,
      cacheCreationInputTokens: 300,
    });
    expect(row.attempts).toEqual([expect.objectContaining({ status: 200, requestId: call.requestId })]);
    expect(row.costMicros).toBe(Math.round(1200 * 3 + 40 * 15 + 900 * 0.3 + 300 * 3.75));
    // the access token is nowhere in the trace
    expect(JSON.stringify(row)).not.toContain(call.token!);
  });

  it('answers whole messages on the global endpoint, and counts tokens at count-tokens with the model in the body', async () => {
    const { platform, settings } = await vertex(say('Global answer'), { region: 'global' });
    const sent = await post('/v1/messages', { ...ask, model: 'claude-opus-4-20250514' }, client, settings);
    expect(sent.response.status).toBe(200);
    expect(await sent.response.json()).toMatchObject({ content: [{ type: 'text', text: 'Global answer' }], model: 'claude-opus-4@20250514' });
    expect(upstream!.calls[1]!.url).toBe(
      'https://aiplatform.googleapis.com/v1/projects/proxy-test-project/locations/global/publishers/anthropic/models/claude-opus-4@20250514:rawPredict',
    );
    expect((await traceOf(sent)).costMicros).toBe(Math.round(1200 * 15 + 40 * 75 + 900 * 1.5 + 300 * 18.75));

    const counted = await post('/v1/messages/count_tokens', { model: 'claude-haiku-4-5', messages: ask.messages }, client, settings);
    expect(counted.response.status).toBe(200);
    const count = platform.calls.at(-1)!;
    expect(count.path).toBe('/v1/projects/proxy-test-project/locations/global/publishers/anthropic/models/count-tokens:rawPredict');
    expect(count.body).toMatchObject({ model: 'claude-haiku-4-5@20251001', anthropic_version: 'vertex-2023-10-16' });
    expect(await counted.response.json()).toEqual({ input_tokens: 11 + JSON.stringify(ask.messages).length });
    // one token served all three calls
    expect(platform.exchanges).toHaveLength(1);
  });

  it('refuses a model name that would be more than a model id in the URL, before any call', async () => {
    const { platform, settings } = await vertex(say('never'));
    for (const model of [
      'claude-zz/../claude-sonnet-4-5@20250929',
      'claude-x/../../../../v1/projects/other/locations/x/endpoints/1',
      'claude-x:streamRawPredict?alt=',
      'claude-x%2F..',
    ]) {
      const sent = await post('/v1/messages', { ...ask, model }, client, settings);
      expect(sent.response.status).toBe(400);
      expect(await sent.response.json()).toMatchObject({
        error: { type: 'invalid_request_error', message: expect.stringContaining('is not a model id Vertex AI serves') },
      });
    }
    expect(platform.calls).toEqual([]);
  });
});

describe('Vertex access tokens', () => {
  it('are exchanged once for requests that arrive together, then reused', async () => {
    const { platform, settings } = await vertex(say('ok'));
    const together = await Promise.all(Array.from({ length: 6 }, () => post('/v1/messages', ask, client, settings)));
    expect(together.map((sent) => sent.response.status)).toEqual([200, 200, 200, 200, 200, 200]);
    await post('/v1/messages', ask, client, settings);
    expect(platform.exchanges).toHaveLength(1);
    expect(new Set(platform.calls.map((call) => call.token)).size).toBe(1);
  });

  it('are renewed shortly before they expire', async () => {
    const { platform, settings } = await vertex(say('ok'), { tokenSeconds: 1 });
    await post('/v1/messages', ask, client, settings);
    await post('/v1/messages', ask, client, settings);
    expect(platform.exchanges).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 950));
    await post('/v1/messages', ask, client, settings);
    expect(platform.exchanges).toHaveLength(2);
    expect(platform.calls[2]!.token).not.toBe(platform.calls[0]!.token);
  });

  it('refused mid-life (401) are renewed once, and the request goes through', async () => {
    const { platform, settings } = await vertex(say('after renewal'));
    expect((await post('/v1/messages', ask, client, settings)).response.status).toBe(200);
    platform.revoke(platform.calls[0]!.token!);
    const sent = await post('/v1/messages', ask, client, settings);
    expect(sent.response.status).toBe(200);
    expect(platform.exchanges).toHaveLength(2);
    expect(platform.calls.map((call) => call.refused?.slice(0, 15) ?? 'ok')).toEqual(['ok', 'UNAUTHENTICATED', 'ok']);
    expect((await traceOf(sent)).attempts!.map((attempt) => attempt.status)).toEqual([401, 200]);
  });

  it('refused again after renewal: one renewal only, then 401 authentication_error', async () => {
    const account = await makeServiceAccount({ tokenUri: TOKEN_URI });
    const platform = scriptedVertex({ account, project: 'proxy-test-project', region: 'us-east5', reply: say('never') });
    // Vertex revokes every token it issued as soon as it is used.
    upstream = scriptUpstream(async (request) => {
      const auth = request.headers.get('authorization');
      if (auth) platform.revoke(auth.replace('Bearer ', ''));
      return platform.handle(request);
    });
    const sent = await post('/v1/messages', ask, client, { ROUTES: [route()], GCP_SERVICE_ACCOUNT: account.json, PROXY_API_KEYS: `team:${PROXY_KEY}` });
    expect(sent.response.status).toBe(401);
    expect(await sent.response.json()).toMatchObject({
      error: { type: 'authentication_error', message: expect.stringMatching(/^Vertex AI: UNAUTHENTICATED: Request had invalid/) },
    });
    expect(platform.calls).toHaveLength(2);
    expect(platform.exchanges).toHaveLength(2);
  });

  it('from a key the token endpoint refuses: 500 api_error naming the secret, not retried', async () => {
    const { platform } = await vertex(say('never'));
    const impostor = await makeServiceAccount({ tokenUri: TOKEN_URI });
    const sent = await post('/v1/messages', ask, client, {
      ROUTES: [route({ retries: 2 })],
      GCP_SERVICE_ACCOUNT: impostor.json,
      PROXY_API_KEYS: `team:${PROXY_KEY}`,
    });
    expect(sent.response.status).toBe(500);
    expect(await sent.response.json()).toMatchObject({
      error: {
        type: 'api_error',
        message: 'Vertex AI: oauth2.googleapis.com refused the service account in GCP_SERVICE_ACCOUNT: invalid_grant: Invalid JWT Signature.',
      },
    });
    expect(platform.exchanges).toHaveLength(1);
    expect(platform.calls).toHaveLength(0);
  });

  it('from a secret that is not a service-account key: an error naming it, not quoting it', async () => {
    const { settings } = await vertex(say('never'));
    const sent = await post('/v1/messages', ask, client, {
      ...settings,
      GCP_SERVICE_ACCOUNT: '{"type": "service_account", "client_email": "x@y.iam.gserviceaccount.com"}',
    });
    expect(sent.response.status).toBe(500);
    const { error } = (await sent.response.json()) as { error: { message: string } };
    expect(error.message).toBe(
      'the secret GCP_SERVICE_ACCOUNT is not a service-account key: it needs client_email and private_key (create a JSON key for the service account)',
    );
  });
});

describe('Vertex errors', () => {
  const answers =
    (...list: Answer[]): Reply =>
    (_body, { number }) =>
      list[Math.min(number, list.length) - 1]!;

  it('retries 429 RESOURCE_EXHAUSTED, then passes it on as rate_limit_error', async () => {
    const quota = {
      status: 429,
      body: {
        error: { code: 429, message: 'Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model.', status: 'RESOURCE_EXHAUSTED' },
      },
    };
    const { platform, settings } = await vertex(answers({ error: quota }), { routes: [route({ retries: 1 })] });
    const sent = await post('/v1/messages', ask, client, settings);
    expect(sent.response.status).toBe(429);
    expect(await sent.response.json()).toMatchObject({
      error: { type: 'rate_limit_error', message: expect.stringMatching(/^Vertex AI: RESOURCE_EXHAUSTED: Quota exceeded/) },
    });
    expect(platform.calls).toHaveLength(2);
  });

  it("keeps the model's own overloaded_error (retried first), and answers once it passes", async () => {
    const overloaded = { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } };
    const { platform, settings } = await vertex(answers({ error: overloaded }, { text: 'better now' }));
    const sent = await post('/v1/messages', ask, client, settings);
    expect(sent.response.status).toBe(200);
    expect(platform.calls).toHaveLength(2);

    const always = await vertex(answers({ error: overloaded }), { routes: [route({ retries: 0 })] });
    const failed = await post('/v1/messages', ask, client, always.settings);
    expect(failed.response.status).toBe(529);
    expect(await failed.response.json()).toMatchObject({ error: { type: 'overloaded_error', message: 'Vertex AI: Overloaded' } });
  });
});
