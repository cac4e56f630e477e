import { afterEach, describe, expect, it } from 'vitest';
import { parseRoutes } from '../../src/config/routes';
import type { MessagesRequest } from '../../src/protocol/types';
import { requestFacts } from '../../src/routing/facts';
import { Health } from '../../src/routing/health';
import { routeRequest } from '../../src/routing/match';
import { messageResponse, streamText } from '../fixtures/anthropic';
import { backgroundCall, claudeCodeHeaders, EXAMPLE_ROUTES, mainTurn, SESSION_ID, webSearchCall } from '../fixtures/claude-code-routing';
import { chunk, completion, sse, usageChunk } from '../fixtures/openai';
import { isolateEnv, post, scriptUpstream, send, traceOf } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => upstream?.restore());

const PROXY_KEY = 'proxy-key-routing-ci-0001';
const CLIENT_KEY = 'sk-ant-api03-client-key-routing-0002';

/** Upstream keys by secret name, and the hosts that accept each. */
const KEYS = {
  OPENROUTER_API_KEY: 'sk-or-v1-routing-openrouter-0003',
  DEEPSEEK_API_KEY: 'sk-routing-deepseek-0004',
  POOL_1: 'sk-routing-pool-key-0001',
  POOL_2: 'sk-routing-pool-key-0002',
  POOL_3: 'sk-routing-pool-key-0003',
};

/**
 * Scripted upstreams that check what real ones check: an Anthropic passthrough needs x-api-key
 * and anthropic-version; a Chat Completions server a Bearer key it knows and a model; each
 * answers in its own format, streamed when asked.
 */
function upstreams(accept: Record<string, string[]>, override?: (request: Request, body: Record<string, unknown>) => Response | undefined) {
  return scriptUpstream(async (request) => {
    const body = JSON.parse(await request.text()) as Record<string, unknown>;
    const host = new URL(request.url).host;
    const forced = override?.(request, body);
    if (forced) return forced;
    if (request.url.endsWith('/v1/messages')) {
      if (!request.headers.get('x-api-key') || !request.headers.get('anthropic-version')) {
        return Response.json({ type: 'error', error: { type: 'authentication_error', message: 'x-api-key header is required' } }, { status: 401 });
      }
      return body.stream ? new Response(streamText, { headers: { 'content-type': 'text/event-stream' } }) : Response.json(messageResponse);
    }
    const bearer = request.headers.get('authorization')?.replace(/^Bearer /, '');
    if ((accept[host] ?? []).length > 0 && !accept[host]!.includes(bearer ?? '')) {
      return Response.json({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }, { status: 401 });
    }
    if (typeof body.model !== 'string' || !Array.isArray(body.messages))
      return Response.json({ error: { message: 'model and messages are required' } }, { status: 400 });
    const text = `${host} ${body.model}`;
    return body.stream
      ? new Response(sse([chunk({ content: text }), chunk({}, 'stop'), usageChunk(120, 7)]), { headers: { 'content-type': 'text/event-stream' } })
      : Response.json(completion({ content: text }));
  });
}

/** The README's example. */
const EXAMPLE = {
  ROUTES: EXAMPLE_ROUTES,
  ...KEYS,
  PROXY_API_KEYS: `ci:${PROXY_KEY}`,
};

describe('routing by what a request is', () => {
  it("sends Claude Code's background, thinking, long-context and plain turns to their routes, and the trace says which and why", async () => {
    upstream = upstreams({ 'openrouter.ai': [KEYS.OPENROUTER_API_KEY], 'api.deepseek.com': [KEYS.DEEPSEEK_API_KEY] });
    const turns: [string, object, Record<string, string>][] = [
      ['background', backgroundCall(), claudeCodeHeaders({ 'x-api-key': PROXY_KEY })],
      ['think', mainTurn({ thinking: true }), claudeCodeHeaders({ 'x-api-key': PROXY_KEY })],
      ['long', mainTurn({ thinking: true, toolResultChars: 400_000 }), claudeCodeHeaders({ 'x-api-key': PROXY_KEY })],
      ['default', mainTurn(), claudeCodeHeaders({ 'x-api-key': CLIENT_KEY, 'x-proxy-key': PROXY_KEY })],
    ];
    const rows = [];
    for (const [expected, body, headers] of turns) {
      const sent = await post('/v1/messages', body, headers, EXAMPLE);
      expect(sent.response.status, expected).toBe(200);
      const row = await traceOf(sent);
      expect(row.routeName).toBe(expected);
      rows.push(row);
    }
    expect(upstream.calls.map((call) => new URL(call.url).host)).toEqual(['127.0.0.1:11434', 'api.deepseek.com', 'openrouter.ai', 'api.anthropic.com']);
    expect(rows.map((row) => row.targetModel)).toEqual(['qwen3:8b', 'deepseek-reasoner', 'google/gemini-2.5-pro', 'claude-sonnet-4-6']);
    expect(rows.map((row) => row.routeReason)).toEqual([
      'match claude-haiku-*',
      'match claude-*; thinking',
      expect.stringMatching(/^match claude-\*; minInputTokens \d+ ≥ 60000$/),
      'match *',
    ]);
    expect(Number(/minInputTokens (\d+)/.exec(rows[2]!.routeReason!)![1])).toBeGreaterThan(60000);
    expect(rows.every((row) => row.sessionId === SESSION_ID)).toBe(true);
  });

  it('routes on web search, subagents, team headers and proxy keys', async () => {
    upstream = upstreams({});
    const config = {
      ROUTES: [
        { name: 'search', match: '*', when: { webSearch: true }, provider: 'anthropic', baseUrl: 'https://search.example', apiKey: 'client' },
        { name: 'subagents', match: '*', when: { subagent: true }, provider: 'openai', baseUrl: 'https://cheap.example/v1', model: 'small' },
        { name: 'ml-team', match: '*', when: { headers: { 'x-team': 'ml-*' } }, provider: 'openai', baseUrl: 'https://ml.example/v1', model: 'ml' },
        { name: 'ci', match: '*', when: { keys: ['ci'] }, provider: 'openai', baseUrl: 'https://ci.example/v1', model: 'ci' },
        { name: 'rest', match: '*', provider: 'openai', baseUrl: 'https://rest.example/v1', model: 'rest' },
      ],
      PROXY_API_KEYS: `ci:${PROXY_KEY},alice:proxy-key-routing-alice-0005`,
    };
    const cases: [string, object, Record<string, string>][] = [
      ['search', webSearchCall(), claudeCodeHeaders({ 'x-api-key': CLIENT_KEY, 'x-proxy-key': PROXY_KEY })],
      ['subagents', mainTurn(), claudeCodeHeaders({ 'x-api-key': PROXY_KEY, 'x-claude-code-agent-id': 'a1b2' })],
      ['ml-team', mainTurn(), claudeCodeHeaders({ 'x-api-key': PROXY_KEY, 'x-team': 'ml-research' })],
      ['ci', mainTurn(), claudeCodeHeaders({ 'x-api-key': PROXY_KEY })],
      ['rest', mainTurn(), claudeCodeHeaders({ 'x-api-key': 'proxy-key-routing-alice-0005' })],
    ];
    for (const [expected, body, headers] of cases) {
      const row = await traceOf(await post('/v1/messages', body, headers, config));
      expect([row.status, row.routeName]).toEqual([200, expected]);
    }
  });

  it('records no route when none serves the model, and an unnamed route as ROUTES[i]', async () => {
    upstream = upstreams({});
    const ROUTES = [
      { match: 'claude-*', when: { thinking: true }, provider: 'openai', baseUrl: 'https://a.example/v1' },
      { match: 'claude-haiku-*', provider: 'openai', baseUrl: 'https://b.example/v1' },
    ];
    const missing = await post('/v1/messages', mainTurn(), claudeCodeHeaders(), { ROUTES });
    expect(missing.response.status).toBe(404);
    expect(await traceOf(missing)).toMatchObject({ routeName: null, routeReason: null, errorType: 'not_found_error' });
    const found = await traceOf(await post('/v1/messages', backgroundCall(), claudeCodeHeaders(), { ROUTES }));
    expect(found).toMatchObject({ status: 200, routeName: 'ROUTES[1]', routeReason: 'match claude-haiku-*' });
  });

  it('count_tokens is routed the same way', async () => {
    upstream = upstreams({});
    const ROUTES = [
      { name: 'think', match: 'claude-*', when: { thinking: true }, provider: 'openai', baseUrl: 'https://a.example/v1' },
      { name: 'default', match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'client' },
    ];
    const { stream: _stream, ...body } = mainTurn({ thinking: true });
    const sent = await post('/v1/messages/count_tokens', body, claudeCodeHeaders(), { ROUTES });
    expect(sent.response.status).toBe(200);
    expect(await traceOf(sent)).toMatchObject({ routeName: 'think', path: '/v1/messages/count_tokens' });
    expect(upstream.calls).toHaveLength(0); // counted locally for an openai route
  });
});

const weightedRoutes = (extra: Record<string, unknown> = {}) => ({
  ROUTES: [
    {
      name: 'spread',
      match: '*',
      targets: [
        { weight: 3, provider: 'openai', baseUrl: 'https://a.example/v1', model: 'model-a', retries: 0 },
        { weight: 1, provider: 'openai', baseUrl: 'https://b.example/v1', model: 'model-b', retries: 0 },
      ],
      ...extra,
    },
  ],
});

describe('weighted targets over HTTP', () => {
  it('spread 2,000 sessions within 3 percentage points of the weights, one target per session', async () => {
    upstream = upstreams({});
    const env = { ...weightedRoutes(), TRACING: 'off' };
    const hosts: Record<string, number> = {};
    const sessionHost = new Map<string, string>();
    const one = async (i: number) => {
      const session = `session-${i % 2_000}`;
      const { response } = await post('/v1/messages', backgroundCall('claude-sonnet-4-6'), claudeCodeHeaders({ 'x-claude-code-session-id': session }), env);
      const text = ((await response.json()) as { content: { text: string }[] }).content[0]!.text;
      const host = text.split(' ')[0]!;
      if (i < 2_000) hosts[host] = (hosts[host] ?? 0) + 1;
      else expect(host).toBe(sessionHost.get(session));
      sessionHost.set(session, host);
    };
    for (let i = 0; i < 2_000; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => one(i + j)));
    expect(Math.abs(hosts['a.example']! / 2_000 - 0.75)).toBeLessThanOrEqual(0.03);
    // the sessions again: each lands where it did
    for (let i = 2_000; i < 2_400; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => one(i + j)));
  }, 60_000);

  it('a failing target cools down: this request and its session move to the next target by weight, and come back after it', async () => {
    let failing = '';
    upstream = upstreams({}, (request) =>
      new URL(request.url).host === failing
        ? Response.json({ error: { message: 'overloaded' } }, { status: 503, headers: { 'retry-after-ms': '300' } })
        : undefined,
    );
    const env = isolateEnv(weightedRoutes());
    const ask = async () => traceOf(await post('/v1/messages', backgroundCall('claude-sonnet-4-6'), claudeCodeHeaders(), env));
    const home = await ask();
    expect(home.routeReason).toMatch(/^match \*; weight \d\/4, session affinity$/);
    const homeHost = new URL(home.targetUrl!).host;
    const other = homeHost === 'a.example' ? 'b.example' : 'a.example';
    failing = homeHost;

    const failed = await ask();
    expect(failed.status).toBe(200);
    expect(failed.attempts!.map((attempt) => [new URL(attempt.url).host, attempt.status])).toEqual([
      [homeHost, 503],
      [other, 200],
    ]);
    const moved = await ask();
    expect(new URL(moved.targetUrl!).host).toBe(other);
    expect(moved.attempts).toHaveLength(1);
    expect(moved.routeReason).toMatch(/; ROUTES\[0\]\.targets\[\d\] cooling down \(1 s left\)$/);

    failing = '';
    await new Promise((resolve) => setTimeout(resolve, 350));
    const back = await ask();
    expect(new URL(back.targetUrl!).host).toBe(homeHost);
    expect(back.routeReason).toMatch(/^match \*; weight \d\/4, session affinity$/);
  });

  it('a target that cannot be reached cools down too (30 s), and a fresh isolate knows nothing of it', async () => {
    let down = '';
    upstream = upstreams({}, (request) => {
      if (new URL(request.url).host === down) throw new TypeError('Network connection lost.');
      return undefined;
    });
    const env = isolateEnv(weightedRoutes());
    const home = new URL((await traceOf(await post('/v1/messages', backgroundCall('claude-sonnet-4-6'), claudeCodeHeaders(), env))).targetUrl!).host;
    down = home;
    const failed = await traceOf(await post('/v1/messages', backgroundCall('claude-sonnet-4-6'), claudeCodeHeaders(), env));
    expect(failed.attempts!.map((attempt) => attempt.error?.slice(0, 26) ?? attempt.status)).toEqual(['could not reach the upstre', 200]);
    const next = await traceOf(await post('/v1/messages', backgroundCall('claude-sonnet-4-6'), claudeCodeHeaders(), env));
    expect(next.routeReason).toMatch(/cooling down \(30 s left\)$/);
    const fresh = await traceOf(await post('/v1/messages', backgroundCall('claude-sonnet-4-6'), claudeCodeHeaders(), weightedRoutes()));
    expect(fresh.attempts![0]!.url).toContain(home);
  });

  it('a client error does not cool a target down', async () => {
    upstream = upstreams({}, () => Response.json({ error: { message: 'bad request', type: 'invalid_request_error' } }, { status: 400 }));
    const env = isolateEnv(weightedRoutes());
    await traceOf(await post('/v1/messages', backgroundCall('claude-sonnet-4-6'), claudeCodeHeaders(), env));
    const again = await traceOf(await post('/v1/messages', backgroundCall('claude-sonnet-4-6'), claudeCodeHeaders(), env));
    expect(again.status).toBe(400);
    expect(again.routeReason).not.toContain('cooling');
  });
});

describe('key pools', () => {
  const pool = (retries: number) => ({
    ROUTES: [
      { name: 'pooled', match: '*', provider: 'openai', baseUrl: 'https://pool.example/v1', model: 'm', apiKey: ['POOL_1', 'POOL_2', 'POOL_3'], retries },
    ],
    ...KEYS,
    PROXY_API_KEYS: `ci:${PROXY_KEY}`,
  });
  const keyName = (bearer: string | null) => Object.entries(KEYS).find(([, value]) => `Bearer ${value}` === bearer)?.[0];
  const auth = claudeCodeHeaders({ 'x-api-key': PROXY_KEY });

  it('move to the next key at once on 429 and 401, naming each key in the attempts, and cool them down', async () => {
    const answers: Record<string, number> = {};
    upstream = upstreams({ 'pool.example': [KEYS.POOL_1, KEYS.POOL_2, KEYS.POOL_3] }, (request) => {
      const status = answers[keyName(request.headers.get('authorization'))!];
      if (status === 429) return Response.json({ error: { message: 'Rate limit reached for requests' } }, { status: 429, headers: { 'retry-after': '20' } });
      if (status === 401) return Response.json({ error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } }, { status: 401 });
      return undefined;
    });
    const env = isolateEnv(pool(1));
    const order = (await traceOf(await post('/v1/messages', backgroundCall(), auth, env))).attempts!.map((attempt) => attempt.key!);
    expect(order).toHaveLength(1);
    // find the session's key order: cool nothing yet, ask the pool with its first key limited
    const first = order[0]!;
    answers[first] = 429;
    const started = Date.now();
    const limited = await traceOf(await post('/v1/messages', backgroundCall(), auth, env));
    expect(Date.now() - started).toBeLessThan(1_000); // no wait for the retry-after
    expect(limited.status).toBe(200);
    const [, second] = limited.attempts!.map((attempt) => attempt.key!);
    expect(limited.attempts!.map((attempt) => [attempt.key, attempt.status])).toEqual([
      [first, 429],
      [second, 200],
    ]);

    answers[second!] = 401;
    const refused = await traceOf(await post('/v1/messages', backgroundCall(), auth, env));
    const third = ['POOL_1', 'POOL_2', 'POOL_3'].find((name) => name !== first && name !== second)!;
    // the rate-limited key cools (20 s), so the session starts on its next key
    expect(refused.attempts!.map((attempt) => [attempt.key, attempt.status])).toEqual([
      [second, 401],
      [third, 200],
    ]);
    expect(upstream.calls.at(-1)!.headers.get('authorization')).toBe(`Bearer ${KEYS[third as keyof typeof KEYS]}`);
    // the secret's name is stored, never its value
    const stored = JSON.stringify(refused);
    for (const value of Object.values(KEYS)) expect(stored).not.toContain(value);
  });

  /** A session whose key order puts `last` last. */
  function sessionEndingWith(last: string): string {
    const routes = parseRoutes(pool(0).ROUTES);
    for (let i = 0; ; i++) {
      const facts = requestFacts(backgroundCall() as MessagesRequest, new Headers(), 'ci', `session-${i}`);
      if (routeRequest(routes, facts, new Health())!.keysFor(routes[0]!.targets[0]!).at(-1) === last) return `session-${i}`;
    }
  }

  it('a 401 moves on without spending a retry; a 429 spends one', async () => {
    upstream = upstreams({}, (request) =>
      keyName(request.headers.get('authorization')) === 'POOL_3'
        ? undefined
        : Response.json({ error: { message: 'Incorrect API key provided' } }, { status: 401 }),
    );
    const session = sessionEndingWith('POOL_3');
    // retries: 0, and still every key refused with 401 gives way to the next
    const refused = await traceOf(await post('/v1/messages', backgroundCall(), { ...auth, 'x-claude-code-session-id': session }, pool(0)));
    expect(refused.status).toBe(200);
    expect(refused.attempts!.map((attempt) => [attempt.key, attempt.status])).toEqual([
      [expect.stringMatching(/^POOL_[12]$/), 401],
      [expect.stringMatching(/^POOL_[12]$/), 401],
      ['POOL_3', 200],
    ]);

    upstream.restore();
    upstream = upstreams({}, () => Response.json({ error: { message: 'Rate limit reached' } }, { status: 429 }));
    const limited = await post('/v1/messages', backgroundCall(), { ...auth, 'x-claude-code-session-id': session }, pool(1));
    expect(limited.response.status).toBe(429);
    const row = await traceOf(limited);
    // one try and one retry: two of the three keys, the second without waiting
    expect(row.attempts!.map((attempt) => attempt.status)).toEqual([429, 429]);
    expect(new Set(row.attempts!.map((attempt) => attempt.key)).size).toBe(2);
    expect(row.attempts!.map((attempt) => attempt.key)).not.toContain('POOL_3');
  });

  it('when every key is refused, the last refusal is the answer', async () => {
    upstream = upstreams({ 'pool.example': ['sk-none-of-them'] });
    const sent = await post('/v1/messages', backgroundCall(), auth, pool(2));
    expect(sent.response.status).toBe(401);
    const row = await traceOf(sent);
    expect(row.attempts!.map((attempt) => attempt.status)).toEqual([401, 401, 401]);
    expect(row.attempts!.map((attempt) => attempt.key).sort()).toEqual(['POOL_1', 'POOL_2', 'POOL_3']);
  });
});

describe('GET /v1/models', () => {
  it('lists what the routes serve, their targets included', async () => {
    upstream = upstreams({});
    const ROUTES = [
      { name: 'think', match: 'claude-*', when: { thinking: true }, provider: 'openai', baseUrl: 'https://api.deepseek.com/v1', model: 'deepseek-reasoner' },
      {
        name: 'mix',
        match: 'claude-*',
        targets: [
          { weight: 3, provider: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-5.1' },
          { weight: 1, provider: 'openai', baseUrl: 'https://openrouter.ai/api/v1', model: 'qwen/qwen3-coder' },
        ],
      },
    ];
    const body = (await (await send('/v1/models', {}, { ROUTES })).response.json()) as { data: { id: string; display_name: string }[] };
    expect(body.data).toEqual([
      expect.objectContaining({
        id: 'claude-mix',
        display_name: 'mix: gpt-5.1 (openai) 3/4, qwen/qwen3-coder (openai) 1/4',
      }),
    ]);
    const one = (await (await send('/v1/models/claude-opus-4-8', {}, { ROUTES })).response.json()) as { display_name: string };
    expect(one.display_name).toBe('mix: gpt-5.1 (openai) 3/4, qwen/qwen3-coder (openai) 1/4');
  });
});
