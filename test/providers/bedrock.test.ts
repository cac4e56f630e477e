import { AwsV4Signer } from 'aws4fetch';
import { afterEach, describe, expect, it } from 'vitest';
import { accumulateSse } from '../../src/recording/summarize';
import { CLAUDE_CODE_BETAS, claudeCodeRequest } from '../fixtures/claude-code';
import { type Answer, type Reply, scriptedBedrock, verifySigV4 } from '../helpers/platforms.mjs';
import { post, scriptUpstream, traceOf } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => upstream?.restore());

const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const PROXY_KEY = 'proxy-key-bedrock-tests-0001';
const client = { 'x-api-key': PROXY_KEY, 'anthropic-version': '2023-06-01', 'anthropic-beta': CLAUDE_CODE_BETAS };

const route = (extra: Record<string, unknown> = {}) => ({
  match: 'claude-*',
  provider: 'bedrock',
  region: 'us-east-1',
  awsAccessKeyId: 'AWS_ACCESS_KEY_ID',
  awsSecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  ...extra,
});

function settings(routes: unknown[], extra: Record<string, unknown> = {}) {
  return {
    ROUTES: routes,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    PROXY_API_KEYS: `team:${PROXY_KEY}`,
    ...extra,
  };
}

/** A scripted Bedrock that checks SigV4 with the test credentials and answers with `reply`. */
function bedrock(reply: Reply, options: { region?: string; sessionToken?: string } = {}) {
  const platform = scriptedBedrock({
    auth: { credentials: { ...CREDENTIALS, sessionToken: options.sessionToken }, region: options.region ?? 'us-east-1' },
    reply,
  });
  upstream = scriptUpstream((request) => platform.handle(request));
  return platform;
}

const say =
  (text: string): Reply =>
  () => ({ text });

describe('Bedrock InvokeModel', () => {
  it('streams a Claude Code turn: a SigV4 request Bedrock accepts, its event stream as Anthropic SSE, traced with the request id, usage and cost', async () => {
    const platform = bedrock(() => ({ tool: { name: 'Read', input: { file_path: '/tmp/notes.txt' }, id: 'toolu_bdrk_1' } }));
    const sent = await post('/v1/messages?beta=true', claudeCodeRequest(), client, settings([route()]));

    expect(sent.response.status).toBe(200);
    expect(sent.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await sent.response.text();
    const call = platform.calls[0]!;
    expect(call.refused).toBeNull();
    expect(call.path).toBe('/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke-with-response-stream');
    expect(call.headers.get('authorization')).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
    expect(sent.response.headers.get('request-id')).toBe(call.requestId);
    expect(text.startsWith('event: message_start\ndata: {"type":"message_start"')).toBe(true);
    expect(text).toMatch(/event: message_stop\ndata: \{"type":"message_stop","amazon-bedrock-invocationMetrics":\{[^}]+\}\}\n\n$/);
    const message = accumulateSse(text).result();
    expect(message?.content).toEqual([{ type: 'tool_use', id: 'toolu_bdrk_1', name: 'Read', input: { file_path: '/tmp/notes.txt' } }]);

    const row = await traceOf(sent);
    expect(row).toMatchObject({
      status: 200,
      provider: 'bedrock',
      requestedModel: 'claude-sonnet-4-5-20250929',
      targetModel: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      targetUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream',
      stopReason: 'tool_use',
      endReason: 'complete',
      inputTokens: 1200,
      outputTokens: 40,
      cacheReadInputTokens: 900,
      cacheCreationInputTokens: 300,
    });
    expect(row.attempts).toEqual([
      { target: 'ROUTES[0]', provider: 'bedrock', url: row.targetUrl, status: 200, error: null, ms: expect.any(Number), requestId: call.requestId },
    ]);
    // us. profile, Claude 4.5: 3.30 / 16.50 / 0.33 / 4.125 USD per million tokens
    expect(row.costMicros).toBe(Math.round(1200 * 3.3 + 40 * 16.5 + 900 * 0.33 + 300 * 4.125));
    expect(row.priceId).not.toBeNull();
    expect(JSON.parse(row.upstreamRequestBody!)).toMatchObject({
      anthropic_version: 'bedrock-2023-05-31',
      anthropic_beta: expect.arrayContaining(['interleaved-thinking-2025-05-14']),
    });
  });

  it('answers a whole message, signed with a session token too, under the route model and profile', async () => {
    const platform = bedrock(say('Plain answer'), { region: 'eu-west-1', sessionToken: 'session-token-IQoJb3JpZ2luX2VjEXAMPLE' });
    const routes = [route({ region: 'eu-west-1', awsSessionToken: 'AWS_SESSION_TOKEN', model: 'claude-haiku-4-5', inferenceProfile: 'global' })];
    const sent = await post(
      '/v1/messages',
      { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] },
      client,
      settings(routes, { AWS_SESSION_TOKEN: 'session-token-IQoJb3JpZ2luX2VjEXAMPLE' }),
    );
    expect(sent.response.status).toBe(200);
    expect(await sent.response.json()).toMatchObject({
      type: 'message',
      content: [{ type: 'text', text: 'Plain answer' }],
      usage: { cache_read_input_tokens: 900 },
    });
    const call = platform.calls[0]!;
    expect(call.refused).toBeNull();
    expect(call.path).toBe('/model/global.anthropic.claude-haiku-4-5-20251001-v1:0/invoke');
    expect(call.headers.get('x-amz-security-token')).toBe('session-token-IQoJb3JpZ2luX2VjEXAMPLE');
    const row = await traceOf(sent);
    expect(row.targetModel).toBe('global.anthropic.claude-haiku-4-5-20251001-v1:0');
    // global profile: the list price
    expect(row.costMicros).toBe(Math.round(1200 * 1 + 40 * 5 + 900 * 0.1 + 300 * 1.25));
  });

  it('refuses what Bedrock would refuse before sending it', async () => {
    const platform = bedrock(say('never'));
    const sent = await post(
      '/v1/messages',
      { ...claudeCodeRequest(), mcp_servers: [{ type: 'url', url: 'https://mcp.example/sse', name: 'docs' }] },
      client,
      settings([route()]),
    );
    expect(sent.response.status).toBe(400);
    expect(await sent.response.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringMatching(/^mcp_servers: the MCP connector is not available on Amazon Bedrock/) },
    });
    expect(platform.calls).toHaveLength(0);
  });
});

describe('SigV4', () => {
  it('is recomputed from the request as received: a tampered body or date fails, a correct one passes', async () => {
    const platform = bedrock(say('ok'));
    const sent = await post(
      '/v1/messages',
      { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] },
      client,
      settings([route()]),
    );
    expect(sent.response.status).toBe(200);
    const received = upstream!.calls[0]!;
    const bytes = new TextEncoder().encode(received.body);
    const as = (headers: Headers) => new Request(received.url, { method: 'POST', headers });
    expect(platform.calls[0]!.refused).toBeNull();
    expect(await verifySigV4(as(received.headers), bytes, CREDENTIALS, { service: 'bedrock', region: 'us-east-1' })).toBeNull();

    const tamperedBody = new TextEncoder().encode(received.body.replace('"Hi"', '"Hi!"'));
    expect(await verifySigV4(as(received.headers), tamperedBody, CREDENTIALS, { service: 'bedrock', region: 'us-east-1' })).toMatchObject({
      kind: 'InvalidSignatureException',
      message: expect.stringMatching(/^The request signature we calculated does not match/),
    });
    const laterDate = new Headers(received.headers);
    laterDate.set(
      'x-amz-date',
      received.headers.get('x-amz-date')!.replace(/(\d\d)Z$/, (_, s: string) => `${String((Number(s) + 1) % 60).padStart(2, '0')}Z`),
    );
    expect((await verifySigV4(as(laterDate), bytes, CREDENTIALS, { service: 'bedrock', region: 'us-east-1' }))?.kind).toBe('InvalidSignatureException');
    expect(
      (await verifySigV4(as(received.headers), bytes, { ...CREDENTIALS, secretAccessKey: 'another-secret' }, { service: 'bedrock', region: 'us-east-1' }))
        ?.kind,
    ).toBe('InvalidSignatureException');

    // A signature made correctly, but 10 minutes ago, has expired.
    const stale = new Date(Date.now() - 10 * 60_000).toISOString().replace(/[:-]|\.\d{3}/g, '');
    const old = await new AwsV4Signer({
      method: 'POST',
      url: received.url,
      headers: { 'content-type': 'application/json' },
      body: received.body,
      ...CREDENTIALS,
      service: 'bedrock',
      region: 'us-east-1',
      datetime: stale,
    }).sign();
    expect(await verifySigV4(as(old.headers), bytes, CREDENTIALS, { service: 'bedrock', region: 'us-east-1' })).toMatchObject({
      kind: 'InvalidSignatureException',
      message: expect.stringMatching(/^Signature expired/),
    });
  });

  it('with the wrong secret key: Bedrock refuses, the client gets 403 permission_error, nothing is retried', async () => {
    const platform = bedrock(say('never'));
    const sent = await post(
      '/v1/messages',
      { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] },
      client,
      settings([route()], { AWS_SECRET_ACCESS_KEY: 'not-the-right-secret-key-000000000000000' }),
    );
    expect(sent.response.status).toBe(403);
    expect(await sent.response.json()).toMatchObject({
      error: { type: 'permission_error', message: expect.stringMatching(/^Amazon Bedrock: The request signature we calculated/) },
    });
    expect(platform.calls).toHaveLength(1);
    expect(platform.calls[0]!.refused).toMatch(/^InvalidSignatureException/);
  });

  it('a Bedrock API key goes as a bearer token instead', async () => {
    const platform = scriptedBedrock({ auth: { apiKey: 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLWtleQ==' }, reply: say('keyed') });
    upstream = scriptUpstream((request) => platform.handle(request));
    const routes = [{ match: 'claude-*', provider: 'bedrock', region: 'us-west-2', apiKey: 'BEDROCK_API_KEY' }];
    const sent = await post('/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }, client, {
      ROUTES: routes,
      BEDROCK_API_KEY: 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLWtleQ==',
      PROXY_API_KEYS: `team:${PROXY_KEY}`,
    });
    expect(sent.response.status).toBe(200);
    expect(platform.calls[0]!.refused).toBeNull();
    expect(platform.calls[0]!.headers.get('x-amz-date')).toBeNull();
    expect(upstream.calls[0]!.url).toBe('https://bedrock-runtime.us-west-2.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke');
  });
});

describe('the Bedrock Messages API (bedrockApi: "messages")', () => {
  it('streams Anthropic SSE through, the model in the body and the beta flags filtered in a header', async () => {
    const platform = bedrock(say('Messages API answer'));
    const sent = await post('/v1/messages', claudeCodeRequest('claude-opus-4-6'), client, settings([route({ bedrockApi: 'messages' })]));
    expect(sent.response.status).toBe(200);
    const text = await sent.response.text();
    expect(accumulateSse(text).result()?.content).toEqual([{ type: 'text', text: 'Messages API answer' }]);
    const call = platform.calls[0]!;
    expect(call.refused).toBeNull();
    expect(call.path).toBe('/anthropic/v1/messages');
    expect(call.body).toMatchObject({ model: 'us.anthropic.claude-opus-4-6-v1', stream: true, anthropic_version: 'bedrock-2023-05-31' });
    expect(call.headers.get('anthropic-beta')).toBe(
      'interleaved-thinking-2025-05-14,context-1m-2025-08-07,context-management-2025-06-27,effort-2025-11-24,tool-search-tool-2025-10-19',
    );
    const row = await traceOf(sent);
    expect(row).toMatchObject({
      targetModel: 'us.anthropic.claude-opus-4-6-v1',
      endReason: 'complete',
      cacheReadInputTokens: 900,
      costMicros: expect.any(Number),
    });
  });
});

describe('Bedrock errors', () => {
  const ask = { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] };
  const failing =
    (...answers: Answer[]): Reply =>
    (_body, { number }) =>
      answers[Math.min(number, answers.length) - 1]!;

  it('retries ThrottlingException, then tells the client 429 rate_limit_error', async () => {
    const platform = bedrock(failing({ error: { status: 429, kind: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' } }));
    const sent = await post('/v1/messages', ask, client, settings([route({ retries: 2 })]));
    expect(sent.response.status).toBe(429);
    expect(await sent.response.json()).toMatchObject({
      error: { type: 'rate_limit_error', message: 'Amazon Bedrock: Too many requests, please wait before trying again.' },
    });
    expect(platform.calls).toHaveLength(3);
    const row = await traceOf(sent);
    expect(row.attempts!.map((attempt) => [attempt.status, attempt.requestId])).toEqual(platform.calls.map((call) => [429, call.requestId]));
  });

  it('retries ModelNotReadyException until the model answers', async () => {
    const platform = bedrock(
      failing({ error: { status: 429, kind: 'ModelNotReadyException', message: 'Model is not ready for inference.' } }, { text: 'ready now' }),
    );
    const sent = await post('/v1/messages', ask, client, settings([route({ retries: 2 })]));
    expect(sent.response.status).toBe(200);
    expect(platform.calls).toHaveLength(2);
  });

  it('falls back from ServiceUnavailableException to the next target', async () => {
    const seen: string[] = [];
    const east = scriptedBedrock({
      auth: { credentials: CREDENTIALS, region: 'us-east-1' },
      reply: () => ({ error: { status: 503, kind: 'ServiceUnavailableException', message: 'Bedrock is unable to process your request.' } }),
    });
    const west = scriptedBedrock({ auth: { credentials: CREDENTIALS, region: 'us-west-2' }, reply: say('from the fallback') });
    upstream = scriptUpstream((request) => {
      seen.push(new URL(request.url).host);
      return request.url.includes('us-east-1') ? east.handle(request) : west.handle(request);
    });
    const routes = [
      route({
        retries: 1,
        fallbacks: [{ provider: 'bedrock', region: 'us-west-2', awsAccessKeyId: 'AWS_ACCESS_KEY_ID', awsSecretAccessKey: 'AWS_SECRET_ACCESS_KEY' }],
      }),
    ];
    const sent = await post('/v1/messages', ask, client, settings(routes));
    expect(sent.response.status).toBe(200);
    expect(await sent.response.json()).toMatchObject({ content: [{ text: 'from the fallback' }] });
    expect(seen).toEqual(['bedrock-runtime.us-east-1.amazonaws.com', 'bedrock-runtime.us-east-1.amazonaws.com', 'bedrock-runtime.us-west-2.amazonaws.com']);
    expect(west.calls[0]!.refused).toBeNull();
    const row = await traceOf(sent);
    expect(row.attempts!.map((attempt) => [attempt.target, attempt.status])).toEqual([
      ['ROUTES[0]', 503],
      ['ROUTES[0]', 503],
      ['ROUTES[0].fallbacks[0]', 200],
    ]);
  });

  it('passes ValidationException and AccessDeniedException on at once, as 400 and 403', async () => {
    for (const [error, status, type] of [
      [{ status: 400, kind: 'ValidationException', message: 'messages.0.content: Field required' }, 400, 'invalid_request_error'],
      [{ status: 403, kind: 'AccessDeniedException', message: "You don't have access to the model with the specified model ID." }, 403, 'permission_error'],
    ] as const) {
      const platform = bedrock(() => ({ error }));
      const sent = await post('/v1/messages', ask, client, settings([route({ retries: 2 })]));
      expect(sent.response.status).toBe(status);
      expect(await sent.response.json()).toMatchObject({ type: 'error', error: { type, message: `Amazon Bedrock: ${error.message}` } });
      expect(platform.calls).toHaveLength(1);
      expect((await traceOf(sent)).errorType).toBe(type);
      upstream!.restore();
    }
  });

  it('ends the stream with an error event when Bedrock sends an exception frame mid-stream', async () => {
    bedrock(() => ({ exception: { type: 'modelStreamErrorException', message: 'The model stream was interrupted.' }, after: 3 }));
    const sent = await post('/v1/messages', { ...ask, stream: true }, client, settings([route()]));
    expect(sent.response.status).toBe(200);
    const text = await sent.response.text();
    expect(text).toContain('"text":"partial ');
    expect(text).not.toContain('message_stop');
    expect(
      text.endsWith(
        'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"Amazon Bedrock: modelStreamErrorException: The model stream was interrupted."}}\n\n',
      ),
    ).toBe(true);
    const row = await traceOf(sent);
    expect(row).toMatchObject({
      endReason: 'upstream_error',
      errorType: 'api_error',
      errorMessage: 'Amazon Bedrock: modelStreamErrorException: The model stream was interrupted.',
    });
  });

  it('ends the stream with an error event when a frame fails its checksum', async () => {
    bedrock(() => ({ text: 'one two three four', corrupt: 3 }));
    const sent = await post('/v1/messages', { ...ask, stream: true }, client, settings([route()]));
    const text = await sent.response.text();
    expect(text).toMatch(
      /event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"Amazon Bedrock's event stream is corrupt after \d+ bytes: message checksum mismatch"\}\}\n\n$/,
    );
    expect((await traceOf(sent)).endReason).toBe('upstream_error');
  });
});

describe('count_tokens on Bedrock', () => {
  const counting = { model: 'claude-sonnet-4-5-20250929', messages: [{ role: 'user', content: 'How many tokens is this?' }] };

  it('asks CountTokens for the foundation model under the profile', async () => {
    const platform = bedrock(say('unused'));
    const sent = await post('/v1/messages/count_tokens', counting, client, settings([route()]));
    expect(sent.response.status).toBe(200);
    const answer = (await sent.response.json()) as { input_tokens: number };
    const call = platform.calls[0]!;
    expect(call.refused).toBeNull();
    expect(call.path).toBe('/model/anthropic.claude-sonnet-4-5-20250929-v1:0/count-tokens');
    expect(answer).toEqual({ input_tokens: 7 + JSON.stringify(call.counted!.messages).length });
    expect((await traceOf(sent)).inputTokens).toBe(answer.input_tokens);
  });

  it('falls back to the local estimate where CountTokens is not available', async () => {
    const platform = bedrock(say('unused'));
    const sent = await post('/v1/messages/count_tokens', { ...counting, model: 'claude-sonnet-4-6' }, client, settings([route({ retries: 0 })]));
    expect(sent.response.status).toBe(200);
    const answer = (await sent.response.json()) as { input_tokens: number };
    expect(answer.input_tokens).toBeGreaterThan(4);
    expect(answer.input_tokens).toBeLessThan(20);
    expect(platform.calls[0]!.refused).toMatch(/doesn't support counting tokens/);
    const row = await traceOf(sent);
    expect(row.attempts![0]).toMatchObject({ status: 400, requestId: platform.calls[0]!.requestId });
    expect(row.inputTokens).toBe(answer.input_tokens);
  });
});

describe('Bedrock routes spend server-held credentials', () => {
  const ask = { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] };

  it('require a proxy key', async () => {
    const platform = bedrock(say('never'));
    const sent = await post('/v1/messages', ask, { 'x-api-key': 'not-a-proxy-key' }, settings([route()]));
    expect(sent.response.status).toBe(401);
    expect(platform.calls).toHaveLength(0);
  });

  it('name a missing secret', async () => {
    bedrock(say('never'));
    const sent = await post('/v1/messages', ask, client, settings([route()], { AWS_SECRET_ACCESS_KEY: undefined }));
    expect(sent.response.status).toBe(500);
    expect(await sent.response.json()).toMatchObject({
      error: { type: 'api_error', message: 'ROUTES[0] names the secret "AWS_SECRET_ACCESS_KEY", but no secret or var of that name is set' },
    });
  });
});
