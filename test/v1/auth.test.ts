import { afterEach, describe, expect, it } from 'vitest';
import { jsonResponse, messageRequest, messageResponse } from '../fixtures/anthropic';
import { post, scriptUpstream, traceOf } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream>;
afterEach(() => upstream?.restore());

const SERVER_KEY = 'sk-ant-server-held-key-999999999';
const PROXY_KEY = 'proxy-key-team-alpha-0001';
const serverRoute = {
  ROUTES: [{ match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'ANTHROPIC_API_KEY' }],
  ANTHROPIC_API_KEY: SERVER_KEY,
  PROXY_API_KEYS: `other-proxy-key-0002, ${PROXY_KEY}`,
};

async function errorOf(response: Response) {
  const body = (await response.json()) as { type: string; error: { type: string; message: string } };
  expect(body.type).toBe('error');
  return body.error;
}

describe('routes that spend a server-held key', () => {
  it('accept a proxy key sent as x-api-key and send the server key upstream instead', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const sent = await post('/v1/messages', messageRequest, { 'x-api-key': PROXY_KEY }, serverRoute);
    expect(sent.response.status).toBe(200);
    const forwarded = upstream.calls[0]!.headers;
    expect(forwarded.get('x-api-key')).toBe(SERVER_KEY);
    expect(forwarded.has('authorization')).toBe(false);
    const row = await traceOf(sent);
    expect(JSON.stringify(row)).not.toContain(SERVER_KEY);
    expect(JSON.stringify(row)).not.toContain(PROXY_KEY);
  });

  it('accept a proxy key sent as Authorization: Bearer and never forward it', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const { response } = await post('/v1/messages', messageRequest, { authorization: `Bearer ${PROXY_KEY}` }, serverRoute);
    expect(response.status).toBe(200);
    const forwarded = upstream.calls[0]!.headers;
    expect(forwarded.get('x-api-key')).toBe(SERVER_KEY);
    expect(forwarded.has('authorization')).toBe(false);
  });

  it('reject a wrong key with 401 authentication_error', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const attempts: Record<string, string>[] = [{ 'x-api-key': 'proxy-key-team-alpha-0009' }, { authorization: 'Bearer nope' }];
    for (const headers of attempts) {
      const sent = await post('/v1/messages', messageRequest, headers, serverRoute);
      expect(sent.response.status).toBe(401);
      const error = await errorOf(sent.response);
      expect(error.type).toBe('authentication_error');
      expect(error.message).toMatch(/invalid proxy API key/);
      const row = await traceOf(sent);
      expect(row.status).toBe(401);
      expect(row.errorType).toBe('authentication_error');
    }
    expect(upstream.calls).toHaveLength(0);
  });

  it('reject a missing key with 401 authentication_error', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const { response } = await post('/v1/messages', messageRequest, {}, serverRoute);
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toMatch(/missing proxy API key/);
    expect(upstream.calls).toHaveLength(0);
  });

  it('refuse to spend the key when no proxy keys are configured', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const { response } = await post('/v1/messages', messageRequest, { 'x-api-key': 'anything-at-all' }, { ...serverRoute, PROXY_API_KEYS: undefined });
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toMatch(/set the PROXY_API_KEYS secret/);
    expect(upstream.calls).toHaveLength(0);
  });

  it('answer 500 naming the setting when the key the route names is not set', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const { response } = await post('/v1/messages', messageRequest, { 'x-api-key': PROXY_KEY }, { ...serverRoute, ANTHROPIC_API_KEY: undefined });
    expect(response.status).toBe(500);
    const error = await errorOf(response);
    expect(error.type).toBe('api_error');
    expect(error.message).toContain('ANTHROPIC_API_KEY');
  });

  it('send the server key as a Bearer token to OpenAI-compatible upstreams', async () => {
    upstream = scriptUpstream(() =>
      jsonResponse({
        id: 'c1',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-x',
        choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
      }),
    );
    const ROUTES = [{ match: '*', provider: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-x', apiKey: 'OPENAI_API_KEY' }];
    const { response } = await post(
      '/v1/messages',
      messageRequest,
      { 'x-api-key': PROXY_KEY },
      { ...serverRoute, ROUTES, OPENAI_API_KEY: 'sk-openai-server-key-123' },
    );
    expect(response.status).toBe(200);
    expect(upstream.calls[0]!.headers.get('authorization')).toBe('Bearer sk-openai-server-key-123');
    expect(upstream.calls[0]!.headers.has('x-api-key')).toBe(false);
  });
});

describe('routes with apiKey "client"', () => {
  it('need a proxy key too once PROXY_API_KEYS is set: no open relay for the client’s own key', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const sent = await post('/v1/messages', messageRequest, { authorization: 'Bearer sk-ant-oat01-subscription-token' }, { PROXY_API_KEYS: PROXY_KEY });
    expect(sent.response.status).toBe(401);
    expect(((await sent.response.json()) as { error: { message: string } }).error.message).toMatch(
      /^invalid proxy API key: no credential in this request is one of PROXY_API_KEYS; send one of PROXY_API_KEYS as x-proxy-key/,
    );
    expect(upstream.calls).toHaveLength(0);
    const row = await traceOf(sent);
    expect(row).toMatchObject({ status: 401, errorType: 'authentication_error', requestBody: null });
  });

  it('forward a subscription’s OAuth token as it came, the proxy key in x-proxy-key staying behind', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const { response } = await post(
      '/v1/messages',
      messageRequest,
      { authorization: 'Bearer sk-ant-oat01-subscription-token', 'x-proxy-key': PROXY_KEY },
      { PROXY_API_KEYS: PROXY_KEY },
    );
    expect(response.status).toBe(200);
    const forwarded = upstream.calls[0]!.headers;
    expect(forwarded.get('authorization')).toBe('Bearer sk-ant-oat01-subscription-token');
    expect(forwarded.has('x-api-key')).toBe(false);
    expect(forwarded.has('x-proxy-key')).toBe(false);
    expect([...forwarded.values()].join(' ')).not.toContain(PROXY_KEY);
  });

  it('strip a proxy key rather than send it upstream', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const { response } = await post(
      '/v1/messages',
      messageRequest,
      { 'x-api-key': 'sk-ant-api03-own-key-xyz', authorization: `Bearer ${PROXY_KEY}` },
      { PROXY_API_KEYS: PROXY_KEY },
    );
    expect(response.status).toBe(200);
    const forwarded = upstream.calls[0]!.headers;
    expect(forwarded.get('x-api-key')).toBe('sk-ant-api03-own-key-xyz');
    expect(forwarded.has('authorization')).toBe(false);
  });
});

describe('malformed ROUTES', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not JSON', '[{"match": "*",', /ROUTES is not valid JSON/],
    ['a missing field', JSON.stringify([{ match: '*', provider: 'anthropic' }]), /ROUTES\[0\]\.baseUrl/],
    ['an unknown provider', [{ match: '*', provider: 'azure-foundry', baseUrl: 'https://x.example' }], /ROUTES\[0\]\.provider/],
    ['a misspelt field', [{ match: '*', provider: 'anthropic', baseURL: 'https://x.example' }], /baseURL/],
    ['a bad URL', [{ match: '*', provider: 'openai', baseUrl: 'localhost:11434/v1' }], /ROUTES\[0\]\.baseUrl/],
    ['not an array', { match: '*' }, /ROUTES is malformed/],
    ['an empty array', '[]', /empty array/],
  ];
  for (const [name, ROUTES, message] of cases) {
    it(`answer 500 api_error naming the problem: ${name}`, async () => {
      upstream = scriptUpstream(() => jsonResponse(messageResponse));
      const sent = await post('/v1/messages', messageRequest, { 'x-api-key': 'k' }, { ROUTES });
      expect(sent.response.status).toBe(500);
      const error = await errorOf(sent.response);
      expect(error.type).toBe('api_error');
      expect(error.message).toMatch(message);
      expect(upstream.calls).toHaveLength(0);
      const row = await traceOf(sent);
      expect(row.errorType).toBe('api_error');
    });
  }
});

describe('routing', () => {
  it('answers 404 not_found_error naming a model no route matches', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const ROUTES = [{ match: 'claude-sonnet-*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'client' }];
    const { response } = await post('/v1/messages', { ...messageRequest, model: 'gpt-4o' }, {}, { ROUTES });
    expect(response.status).toBe(404);
    const error = await errorOf(response);
    expect(error.type).toBe('not_found_error');
    expect(error.message).toContain('model: gpt-4o');
  });

  it('takes the first matching route, case-insensitively', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const ROUTES = [
      { match: 'claude-haiku-*', provider: 'anthropic', baseUrl: 'https://haiku.example', apiKey: 'client' },
      { match: 'CLAUDE-*', provider: 'anthropic', baseUrl: 'https://first.example', apiKey: 'client' },
      { match: '*', provider: 'anthropic', baseUrl: 'https://second.example', apiKey: 'client' },
    ];
    await post('/v1/messages', { ...messageRequest, model: 'claude-opus-4-8' }, {}, { ROUTES });
    await post('/v1/messages', { ...messageRequest, model: 'claude-haiku-4-5-20251001' }, {}, { ROUTES });
    await post('/v1/messages', { ...messageRequest, model: 'my-model' }, {}, { ROUTES });
    expect(upstream.calls.map((call) => new URL(call.url).host)).toEqual(['first.example', 'haiku.example', 'second.example']);
  });
});
