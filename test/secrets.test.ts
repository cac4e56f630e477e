import { createMessageBatch, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../src/index';
import { messageRequest, messageResponse, streamText } from './fixtures/anthropic';
import { chunk, completion, sse, usageChunk } from './fixtures/openai';
import { item, responseEvents, responseObject, sse as responsesSse } from './fixtures/scripted-responses.mjs';
import { makeServiceAccount, type Reply, scriptedBedrock, scriptedVertex } from './helpers/platforms.mjs';
import { allPieceTexts, allTraces, post, scriptUpstream, traceOf } from './helpers/worker';

afterEach(() => vi.restoreAllMocks());

/**
 * Every configured secret and every client key, pushed through every path a trace is written
 * on (including upstreams and clients that echo them back); then every stored column of every
 * trace is searched for each of them.
 */

// Keys in the providers' real formats and lengths.
const ANTHROPIC_KEY = `sk-ant-api03-${'Aa0_'.repeat(23)}AAAA`;
const OPENAI_KEY = `sk-proj-${'Bb1-'.repeat(40)}BBBB`;
const PROXY_PLAIN = 'proxy-plain-key-CCCC-0001';
const PROXY_NAMED = 'proxy-named-key-DDDD-0002';
const PROXY_DIGESTED = 'proxy-digested-key-EEEE-0003';
const CLIENT_ANTHROPIC = `sk-ant-api03-${'Ff2x'.repeat(23)}FFFF`;
const CLIENT_OAUTH = `sk-ant-oat01-${'Gg3y'.repeat(23)}GGGG`;
const WRONG_KEY = 'wrong-key-someone-tried-HHHH';
// A gateway's keys, in no provider's shape: only the configuration says they are secrets.
const POOL_KEYS = [`gw-pool-${'Ii4_'.repeat(8)}IIII`, `gw-pool-${'Jj5_'.repeat(8)}JJJJ`];

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

describe('secrets never reach D1', () => {
  it('finds no configured secret or client key in any stored column of any trace', async () => {
    const config = {
      ROUTES: [
        { match: 'claude-server-*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'ANTHROPIC_API_KEY', retries: 0 },
        {
          match: 'claude-openai-*',
          provider: 'openai',
          baseUrl: 'https://api.openai.com/v1',
          model: 'gpt-x',
          apiKey: 'OPENAI_API_KEY',
          retries: 0,
          fallbacks: [{ provider: 'anthropic', baseUrl: 'https://backup.example', apiKey: 'ANTHROPIC_API_KEY', retries: 0 }],
        },
        {
          match: 'claude-responses-*',
          provider: 'openai-responses',
          baseUrl: 'https://api.openai.com/v1',
          model: 'gpt-5.1-codex',
          apiKey: 'OPENAI_API_KEY',
          retries: 0,
        },
        // a key pool: the first key used is rate-limited (echoing it), so the request moves to the next
        {
          match: 'claude-pool-*',
          provider: 'openai',
          baseUrl: 'https://pool.openai.example/v1',
          model: 'gpt-x',
          apiKey: ['POOL_KEY_A', 'POOL_KEY_B'],
          retries: 1,
        },
        { match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'client', retries: 0 },
      ],
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      OPENAI_API_KEY: OPENAI_KEY,
      POOL_KEY_A: POOL_KEYS[0],
      POOL_KEY_B: POOL_KEYS[1],
      PROXY_API_KEYS: `${PROXY_PLAIN}, team:${PROXY_NAMED}, ci:sha256:${await sha256Hex(PROXY_DIGESTED)}`,
    };
    const secrets = [ANTHROPIC_KEY, OPENAI_KEY, ...POOL_KEYS, PROXY_PLAIN, PROXY_NAMED, PROXY_DIGESTED, CLIENT_ANTHROPIC, CLIENT_OAUTH, WRONG_KEY];
    let poolCalls = 0;

    // Upstreams that echo whatever credential they got, in bodies and errors.
    const upstream = scriptUpstream(async (request) => {
      const credential = request.headers.get('x-api-key') ?? request.headers.get('authorization') ?? '';
      const body = JSON.parse(await request.text()) as { stream?: boolean; messages?: { content: unknown }[]; input?: unknown[] };
      const ask = JSON.stringify(body.messages ?? body.input);
      if (request.url.includes('pool.openai') && poolCalls++ % 2 === 0) {
        return Response.json({ error: { message: `Rate limit reached for key ${credential}` } }, { status: 429 });
      }
      if (ask.includes('echo-error')) {
        return Response.json(
          { type: 'error', error: { type: 'authentication_error', message: `invalid credential ${credential}` } },
          { status: request.url.includes('openai') ? 503 : 401 },
        );
      }
      if (request.url.endsWith('/responses')) {
        // Reasoning the model returns travels to the client in the thinking signature, and back.
        const output = [item.reasoning(`thinking about ${credential}`), item.message(`you sent ${credential}`)];
        return body.stream
          ? new Response(responsesSse(responseEvents(output)), { headers: { 'content-type': 'text/event-stream' } })
          : Response.json(responseObject(output));
      }
      if (request.url.includes('openai')) {
        const text = `you sent ${credential}`;
        return body.stream
          ? new Response(sse([chunk({ content: text }, 'stop'), usageChunk(3, 3)]), { headers: { 'content-type': 'text/event-stream' } })
          : Response.json(completion({ content: text }));
      }
      if (body.stream) return new Response(streamText.replace('Let me check ', `Key ${credential} `), { headers: { 'content-type': 'text/event-stream' } });
      return Response.json({ ...messageResponse, content: [{ type: 'text', text: `echo ${credential}` }] });
    });

    const ask = (model: string, extra: Record<string, unknown> = {}, words = 'hello') => ({
      ...messageRequest,
      model,
      messages: [{ role: 'user', content: `${words} ${PROXY_NAMED} ${CLIENT_ANTHROPIC} ${OPENAI_KEY}` }],
      ...extra,
    });
    const scenarios: [Record<string, unknown>, Record<string, string>][] = [
      [ask('claude-server-1'), { 'x-api-key': PROXY_PLAIN }],
      [ask('claude-server-1', { stream: true }), { authorization: `Bearer ${PROXY_NAMED}` }],
      [ask('claude-server-1', {}, 'echo-error'), { 'x-api-key': PROXY_DIGESTED }],
      [ask('claude-server-1'), { 'x-api-key': WRONG_KEY }],
      [ask('claude-openai-1'), { 'x-api-key': PROXY_NAMED }],
      [ask('claude-openai-1', { stream: true }), { 'x-api-key': PROXY_PLAIN }],
      [ask('claude-openai-1', {}, 'echo-error'), { 'x-api-key': PROXY_PLAIN }],
      [ask('claude-responses-1', { thinking: { type: 'adaptive' } }), { 'x-api-key': PROXY_NAMED, 'x-claude-code-agent-id': `agent-${PROXY_NAMED}` }],
      [ask('claude-responses-1', { stream: true }), { 'x-api-key': PROXY_PLAIN, 'x-claude-code-parent-agent-id': PROXY_PLAIN }],
      [ask('claude-responses-1', {}, 'echo-error'), { 'x-api-key': PROXY_PLAIN }],
      [ask('claude-pool-1'), { 'x-api-key': PROXY_PLAIN }],
      [ask('claude-pool-1', { stream: true }), { 'x-api-key': PROXY_NAMED }],
      [ask('claude-sonnet-4-6'), { 'x-api-key': CLIENT_ANTHROPIC, 'x-custom-auth-token': CLIENT_OAUTH }],
      [ask('claude-sonnet-4-6', { stream: true }), { authorization: `Bearer ${CLIENT_OAUTH}` }],
      [ask('claude-sonnet-4-6', {}, 'echo-error'), { 'x-api-key': CLIENT_ANTHROPIC, authorization: `Bearer ${PROXY_PLAIN}` }],
      [{ model: 'claude-sonnet-4-6', messages: 'not valid', note: CLIENT_ANTHROPIC }, { 'x-api-key': CLIENT_ANTHROPIC }],
    ];
    const ids: string[] = [];
    for (const [body, headers] of scenarios) {
      const sent = await post('/v1/messages', body, { cookie: `session=${CLIENT_OAUTH}`, ...headers }, config);
      await traceOf(sent);
      ids.push(sent.traceId!);
    }
    upstream.restore();

    const rows = await allTraces();
    expect(rows.map((row) => row.id)).toEqual(expect.arrayContaining(ids));
    expect(rows.length).toBeGreaterThanOrEqual(scenarios.length);
    // The scenarios did put secrets in front of the writer: the upstreams echoed them.
    expect(rows.some((row) => row.responseBody?.includes('[redacted]'))).toBe(true);
    // Both keys of the pool were sent (and echoed), and the attempts name them by their secret names.
    const pooled = rows.filter((row) => row.requestedModel === 'claude-pool-1');
    expect(new Set(pooled.flatMap((row) => row.attempts!.map((attempt) => attempt.key)))).toEqual(new Set(['POOL_KEY_A', 'POOL_KEY_B']));
    expect(pooled.every((row) => row.attempts![0]!.error?.includes('[redacted]'))).toBe(true);
    const hits: string[] = [];
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        const stored = typeof value === 'string' ? value : JSON.stringify(value);
        for (const secret of secrets) if (stored?.includes(secret)) hits.push(`${row.id}.${column} holds ${secret}`);
      }
    }
    // The shared pieces (frames with their headers, system prompts, large messages), decompressed.
    for (const [hash, text] of await allPieceTexts()) for (const secret of secrets) if (text.includes(secret)) hits.push(`piece ${hash} holds ${secret}`);
    expect(hits).toEqual([]);
  });
});

describe('secrets never travel through TRACE_QUEUE', () => {
  it('sends the queue no configured secret or client key, traced or not, and the consumer stores none', async () => {
    const config = {
      ROUTES: [
        { match: 'claude-server-*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'ANTHROPIC_API_KEY', retries: 0 },
        { match: 'claude-openai-*', provider: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-x', apiKey: 'OPENAI_API_KEY', retries: 0 },
        { match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'client', retries: 0 },
      ],
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      OPENAI_API_KEY: OPENAI_KEY,
      PROXY_API_KEYS: `${PROXY_PLAIN}, team:${PROXY_NAMED}`,
    };
    const secrets = [ANTHROPIC_KEY, OPENAI_KEY, PROXY_PLAIN, PROXY_NAMED, CLIENT_ANTHROPIC, CLIENT_OAUTH];
    // Upstreams that echo the credential they got.
    const upstream = scriptUpstream(async (request) => {
      const credential = request.headers.get('x-api-key') ?? request.headers.get('authorization') ?? '';
      const body = JSON.parse(await request.text()) as { stream?: boolean };
      if (request.url.includes('openai')) {
        return body.stream
          ? new Response(sse([chunk({ content: `you sent ${credential}` }, 'stop'), usageChunk(3, 3)]), { headers: { 'content-type': 'text/event-stream' } })
          : Response.json(completion({ content: `you sent ${credential}` }));
      }
      if (body.stream) return new Response(streamText.replace('Let me check ', `Key ${credential} `), { headers: { 'content-type': 'text/event-stream' } });
      return Response.json({ ...messageResponse, content: [{ type: 'text', text: `echo ${credential}` }] });
    });
    const sent: string[] = [];
    const queue = { send: async (body: string) => void sent.push(body) };
    const ask = (model: string, extra: Record<string, unknown> = {}) => ({
      ...messageRequest,
      model,
      messages: [{ role: 'user', content: `hello ${PROXY_NAMED} ${CLIENT_ANTHROPIC} ${OPENAI_KEY}` }],
      ...extra,
    });
    const ids: string[] = [];
    for (const tracing of ['on', 'off']) {
      for (const [body, headers] of [
        [ask('claude-server-1'), { 'x-api-key': PROXY_NAMED }],
        [ask('claude-server-1', { stream: true }), { authorization: `Bearer ${PROXY_NAMED}` }],
        [ask('claude-openai-1', { stream: true }), { 'x-api-key': PROXY_PLAIN }],
        [ask('claude-sonnet-4-6'), { 'x-api-key': CLIENT_ANTHROPIC, 'x-proxy-key': PROXY_NAMED, 'x-custom-auth-token': CLIENT_OAUTH }],
      ] as const) {
        const request = await post(
          '/v1/messages',
          body,
          { cookie: `session=${CLIENT_OAUTH}`, ...headers },
          { ...config, TRACING: tracing, TRACE_QUEUE: queue },
        );
        await request.response.arrayBuffer();
        await waitOnExecutionContext(request.ctx);
        ids.push(request.traceId!);
      }
    }
    upstream.restore();

    // Every request sent one message: traced ones, and TRACING=off ones for their proxy key's spend (a plain key is `key#1`).
    expect(sent.length).toBe(4 + 4);
    expect(sent.some((body) => body.includes('[redacted]'))).toBe(true);
    const hits = sent.flatMap((body) => secrets.filter((secret) => body.includes(secret)).map((secret) => `a message holds ${secret}`));
    expect(hits).toEqual([]);

    // Delivered, they store nothing secret either.
    const batch = createMessageBatch(
      'claude-proxy-traces',
      sent.map((body, i) => ({ id: `m${i}`, timestamp: Date.now(), attempts: 1, body })),
    );
    await worker.queue(batch, env as never);
    const rows = (await allTraces()).filter((row) => ids.includes(row.id));
    expect(rows).toHaveLength(4);
    for (const row of rows) for (const secret of secrets) expect(JSON.stringify(row)).not.toContain(secret);
  });
});

describe('cloud credentials never reach D1 or the logs', () => {
  it('finds no AWS key, session token, service-account key (whole or its private key) or access token in any trace or log line', async () => {
    const awsSecret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzSecretKey9';
    const sessionToken = `IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD${'x7Qz'.repeat(30)}`;
    const account = await makeServiceAccount({ tokenUri: 'https://oauth2.googleapis.com/token' });
    const proxyKey = 'proxy-key-cloud-secrets-0001';
    const config = {
      ROUTES: [
        {
          match: 'claude-bedrock-*',
          provider: 'bedrock',
          region: 'us-east-1',
          model: 'claude-sonnet-4-5',
          awsAccessKeyId: 'AWS_KEY_ID',
          awsSecretAccessKey: 'AWS_SECRET',
          awsSessionToken: 'AWS_TOKEN',
          retries: 0,
        },
        {
          match: 'claude-vertex-*',
          provider: 'vertex',
          project: 'proxy-test-project',
          region: 'us-east5',
          model: 'claude-sonnet-4-5',
          serviceAccount: 'GCP_SA',
          retries: 0,
        },
      ],
      AWS_KEY_ID: 'AKIAIOSFODNN7SECRETS',
      AWS_SECRET: awsSecret,
      AWS_TOKEN: sessionToken,
      GCP_SA: account.json,
      PROXY_API_KEYS: `team:${proxyKey}`,
      LOG_REQUESTS: 'on',
    };
    const prompt = (words: string) => `${words} ${awsSecret} ${sessionToken} ${account.privateKey}`;
    // Platforms that echo the prompt and the credentials they received, in answers and in errors.
    const echo: Reply = (body, { call }) => {
      const said = `${JSON.stringify(body.messages)} token=${call.headers.get('x-amz-security-token') ?? call.headers.get('authorization')}`;
      return said.includes('echo-error')
        ? { error: { status: 400, kind: 'ValidationException', message: said, body: { error: { code: 400, message: said, status: 'INVALID_ARGUMENT' } } } }
        : { text: said };
    };
    const bedrock = scriptedBedrock({
      auth: { credentials: { accessKeyId: 'AKIAIOSFODNN7SECRETS', secretAccessKey: awsSecret, sessionToken }, region: 'us-east-1' },
      reply: echo,
    });
    const vertex = scriptedVertex({ account, project: 'proxy-test-project', region: 'us-east5', reply: echo });
    const upstream = scriptUpstream((request) => (request.url.includes('amazonaws') ? bedrock.handle(request) : vertex.handle(request)));
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));

    const ids: string[] = [];
    for (const model of ['claude-bedrock-x', 'claude-vertex-x']) {
      for (const [words, extra] of [
        ['hello', { stream: true }],
        ['hello', {}],
        ['echo-error', {}],
      ] as const) {
        const sent = await post(
          '/v1/messages',
          { ...messageRequest, model, messages: [{ role: 'user', content: prompt(words) }], ...extra },
          { 'x-api-key': proxyKey },
          config,
        );
        await traceOf(sent);
        ids.push(sent.traceId!);
      }
      const counted = await post(
        '/v1/messages/count_tokens',
        { model, messages: [{ role: 'user', content: prompt('count') }] },
        { 'x-api-key': proxyKey },
        config,
      );
      await traceOf(counted);
      ids.push(counted.traceId!);
    }
    upstream.restore();

    // The platforms accepted the requests, and did echo what they got.
    expect([...bedrock.calls, ...vertex.calls].filter((call) => call.refused && !call.refused.includes('echo-error'))).toEqual([]);
    const tokens = vertex.calls.map((call) => call.token!);
    expect(tokens.length).toBeGreaterThan(0);
    const secrets = [awsSecret, sessionToken, account.json, account.privateKey, JSON.stringify(account.privateKey).slice(1, -1), account.keyId, ...tokens];
    const rows = (await allTraces()).filter((row) => ids.includes(row.id));
    expect(rows).toHaveLength(ids.length);
    expect(rows.filter((row) => row.responseBody?.includes('[redacted]')).length).toBeGreaterThanOrEqual(4);
    const hits: string[] = [];
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        const stored = typeof value === 'string' ? value : JSON.stringify(value);
        for (const secret of secrets) if (stored?.includes(secret)) hits.push(`${row.id}.${column} holds ${secret.slice(0, 20)}…`);
      }
    }
    for (const [hash, text] of await allPieceTexts())
      for (const secret of secrets) if (text.includes(secret)) hits.push(`piece ${hash} holds ${secret.slice(0, 20)}…`);
    expect(hits).toEqual([]);
    const logged = lines.join('\n');
    expect(lines.filter((line) => line.includes('"event":"request"'))).toHaveLength(ids.length);
    for (const secret of secrets) expect(logged.includes(secret), `a log line holds ${secret.slice(0, 20)}…`).toBe(false);
  });
});
