import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTES, keyNames, parseRoutes, targetsOf } from '../../src/config/routes';
import { globToRegExp } from '../../src/core/glob';
import { joinUrl } from '../../src/upstream/http';
import { messageRequest } from '../fixtures/anthropic';
import { post, send } from '../helpers/worker';

describe('globToRegExp', () => {
  it('matches * as any run and ? as one character, case-insensitively', () => {
    expect(globToRegExp('claude-*').test('claude-opus-4-8')).toBe(true);
    expect(globToRegExp('claude-*').test('CLAUDE-OPUS')).toBe(true);
    expect(globToRegExp('claude-*').test('my-claude-x')).toBe(false);
    expect(globToRegExp('claude-?-x').test('claude-3-x')).toBe(true);
    expect(globToRegExp('claude-?-x').test('claude-33-x')).toBe(false);
    expect(globToRegExp('*sonnet*').test('claude-sonnet-4-6')).toBe(true);
  });

  it('treats regex characters literally', () => {
    expect(globToRegExp('gpt-4.1').test('gpt-4.1')).toBe(true);
    expect(globToRegExp('gpt-4.1').test('gpt-401')).toBe(false);
    expect(globToRegExp('a+b(c)').test('a+b(c)')).toBe(true);
  });
});

describe('parseRoutes', () => {
  it('defaults to a client-key passthrough to Anthropic when unset or blank', () => {
    for (const raw of [undefined, '', '  ']) {
      const routes = parseRoutes(raw);
      expect(routes).toHaveLength(1);
      expect(routes[0]).toMatchObject({ name: 'ROUTES[0]', match: '*', when: null, fallbacks: [] });
      expect(routes[0]!.targets).toEqual([{ label: 'ROUTES[0]', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'client', weight: 1 }]);
      expect(DEFAULT_ROUTES).toEqual([{ match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'client' }]);
    }
  });

  it('accepts a JSON array or a string holding one', () => {
    const config = [{ match: 'claude-*', provider: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen3' }];
    const target = { label: 'ROUTES[0]', provider: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen3', weight: 1 };
    expect(parseRoutes(config)[0]).toMatchObject({ match: 'claude-*', targets: [target] });
    expect(parseRoutes(JSON.stringify(config))[0]).toMatchObject({ match: 'claude-*', index: 0, targets: [target] });
  });
});

describe('parseRoutes: when, targets, key pools, names', () => {
  const base = { match: 'claude-*', provider: 'openai', baseUrl: 'https://llm.example/v1' };

  it('compiles conditions, weighted targets, key pools and names', () => {
    const [long, spread] = parseRoutes([
      { ...base, name: 'long', when: { minInputTokens: 60000, thinking: true, headers: { 'X-Team': 'ml-*' }, keys: ['ci'] }, apiKey: 'KEY_A' },
      {
        match: '*',
        targets: [
          { weight: 3, provider: 'openai', baseUrl: 'https://a.example/v1', model: 'a', apiKey: ['POOL_1', 'POOL_2'] },
          { provider: 'anthropic', baseUrl: 'https://b.example', apiKey: 'client' },
        ],
        fallbacks: [{ provider: 'openai', baseUrl: 'http://127.0.0.1:11434/v1' }],
      },
    ]);
    expect(long).toMatchObject({ name: 'long', label: 'ROUTES[0]', when: { minInputTokens: 60000, thinking: true, keys: ['ci'] }, totalWeight: 1 });
    expect(long!.when!.headers).toEqual([{ name: 'x-team', glob: 'ml-*', pattern: expect.any(RegExp) }]);
    expect(long!.targets).toEqual([{ label: 'ROUTES[0]', provider: 'openai', baseUrl: 'https://llm.example/v1', apiKey: ['KEY_A'], weight: 1 }]);
    expect(spread).toMatchObject({ name: 'ROUTES[1]', when: null, totalWeight: 4 });
    expect(spread!.targets).toEqual([
      { label: 'ROUTES[1].targets[0]', provider: 'openai', baseUrl: 'https://a.example/v1', model: 'a', apiKey: ['POOL_1', 'POOL_2'], weight: 3 },
      { label: 'ROUTES[1].targets[1]', provider: 'anthropic', baseUrl: 'https://b.example', apiKey: 'client', weight: 1 },
    ]);
    expect(spread!.fallbacks).toEqual([{ label: 'ROUTES[1].fallbacks[0]', provider: 'openai', baseUrl: 'http://127.0.0.1:11434/v1' }]);
    expect(targetsOf(spread!).map((target) => keyNames(target))).toEqual([['POOL_1', 'POOL_2'], [], []]);
  });

  it.each([
    [[{ ...base, when: { minInputTokens: '60000' } }], 'ROUTES[0].when.minInputTokens: Invalid type: Expected number but received "60000"'],
    [[{ ...base, when: { thinking: 'yes' } }], 'ROUTES[0].when.thinking: Invalid type: Expected boolean'],
    [[{ ...base, when: {} }], 'ROUTES[0].when: must hold at least one condition'],
    [[{ ...base, when: { thinkng: true } }], 'ROUTES[0].when.thinkng: Invalid key'],
    [[{ ...base, when: { headers: { 'x team': 'a' } } }], 'ROUTES[0].when.headers.x team: is not a valid header name'],
    [[{ ...base, when: { keys: [] } }], 'ROUTES[0].when.keys: must name at least one proxy key'],
    [[{ match: '*', targets: [] }], 'ROUTES[0].targets: must list at least one target'],
    [
      [
        {
          match: '*',
          targets: [
            { provider: 'openai', baseUrl: 'https://a.example/v1' },
            { provider: 'openai', baseUrl: 'https://b.example/v1', weight: 0 },
          ],
        },
      ],
      'ROUTES[0].targets[1].weight: must be above 0',
    ],
    [
      [{ match: '*', model: 'x', targets: [{ provider: 'openai', baseUrl: 'https://a.example/v1' }] }],
      'ROUTES[0].model: a route with `targets` sets this on each target',
    ],
    [[{ match: '*' }], 'ROUTES[0].provider: required field is missing (or list `targets`)'],
    [[{ ...base, apiKey: [] }], 'ROUTES[0].apiKey: a key pool must name at least one secret'],
    [[{ ...base, apiKey: ['KEY_A', 'client'] }], 'ROUTES[0].apiKey: "client" cannot be part of a key pool'],
    [[{ ...base, apiKey: ['KEY_A', 'KEY_A'] }], 'ROUTES[0].apiKey: a key pool names each secret once'],
    [
      [{ match: '*', targets: [{ provider: 'openai', baseUrl: 'https://a.example/v1', apiKey: ['KEY_A', 5] }] }],
      'ROUTES[0].targets[0].apiKey[1]: Invalid type',
    ],
    [[base, { ...base, name: 'think' }, { ...base, name: 'Think' }], 'ROUTES[2].name: "Think" is already the name of ROUTES[1]'],
  ])('refuses %j naming the field', (routes, message) => {
    expect(() => parseRoutes(routes)).toThrow(message);
  });

  it('refuses a malformed route for every request, naming the field, and keeps serving the rest of the worker', async () => {
    const ROUTES = [{ match: '*', targets: [{ provider: 'openai', baseUrl: 'https://a.example/v1', weight: -1 }] }];
    const sent = await post('/v1/messages', messageRequest, {}, { ROUTES });
    expect(sent.response.status).toBe(500);
    expect(await sent.response.json()).toMatchObject({
      type: 'error',
      error: { type: 'api_error', message: expect.stringContaining('ROUTES[0].targets[0].weight: must be above 0') },
    });
    expect((await send('/', {}, { ROUTES })).response.status).toBe(200);
  });
});

describe('joinUrl', () => {
  it('appends to the base path, keeping prefixes and queries', () => {
    expect(joinUrl('https://api.anthropic.com', '/v1/messages')).toBe('https://api.anthropic.com/v1/messages');
    expect(joinUrl('https://api.anthropic.com/', '/v1/messages')).toBe('https://api.anthropic.com/v1/messages');
    expect(joinUrl('https://api.openai.com/v1', '/chat/completions')).toBe('https://api.openai.com/v1/chat/completions');
    expect(joinUrl('https://gw.example.com/anthropic', '/v1/messages')).toBe('https://gw.example.com/anthropic/v1/messages');
    expect(joinUrl('https://openrouter.ai/api/v1/', '/chat/completions')).toBe('https://openrouter.ai/api/v1/chat/completions');
    expect(joinUrl('https://x.example/openai/v1?api-version=2025-01-01', '/chat/completions')).toBe(
      'https://x.example/openai/v1/chat/completions?api-version=2025-01-01',
    );
  });
});

describe('Bedrock and Vertex routes', () => {
  const bedrock = {
    match: 'claude-*',
    provider: 'bedrock',
    region: 'us-east-1',
    awsAccessKeyId: 'AWS_ACCESS_KEY_ID',
    awsSecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  };
  const vertex = { match: 'claude-*', provider: 'vertex', project: 'my-project', region: 'us-east5', serviceAccount: 'GCP_SERVICE_ACCOUNT' };
  const problem = (route: Record<string, unknown>) => {
    try {
      parseRoutes([route]);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };

  it("take the issue's route contracts, with the platform's endpoint as the default baseUrl", () => {
    const [aws] = parseRoutes([{ ...bedrock, model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', awsSessionToken: 'AWS_SESSION_TOKEN' }]);
    expect(aws!.targets[0]).toMatchObject({ provider: 'bedrock', baseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com', region: 'us-east-1' });
    const [keyed] = parseRoutes([
      {
        match: '*',
        provider: 'bedrock',
        region: 'eu-west-1',
        apiKey: 'BEDROCK_API_KEY',
        bedrockApi: 'messages',
        baseUrl: 'https://vpce-1.bedrock-runtime.eu-west-1.vpce.amazonaws.com',
      },
    ]);
    expect(keyed!.targets[0]!.baseUrl).toBe('https://vpce-1.bedrock-runtime.eu-west-1.vpce.amazonaws.com');
    expect(parseRoutes([{ ...vertex, model: 'claude-sonnet-4-5@20250929' }])[0]!.targets[0]!.baseUrl).toBe('https://us-east5-aiplatform.googleapis.com');
    expect(parseRoutes([{ ...vertex, region: 'global' }])[0]!.targets[0]!.baseUrl).toBe('https://aiplatform.googleapis.com');
    const [withFallback] = parseRoutes([{ ...bedrock, fallbacks: [{ provider: 'vertex', project: 'p-1', region: 'europe-west1', serviceAccount: 'SA' }] }]);
    expect(withFallback!.fallbacks[0]).toMatchObject({ baseUrl: 'https://europe-west1-aiplatform.googleapis.com', label: 'ROUTES[0].fallbacks[0]' });
  });

  it('refuse incomplete or mixed credentials, naming the field', () => {
    const { awsSecretAccessKey: _secret, ...noSecret } = bedrock;
    expect(problem(noSecret)).toMatch(/ROUTES\[0\]\.awsSecretAccessKey: required field is missing/);
    const { awsAccessKeyId: _id, awsSecretAccessKey: _key, ...noKeys } = bedrock;
    expect(problem(noKeys)).toMatch(/ROUTES\[0\]\.awsAccessKeyId: required field is missing \(or give apiKey/);
    expect(problem({ ...bedrock, apiKey: 'BEDROCK_API_KEY' })).toMatch(/ROUTES\[0\]\.apiKey: give either apiKey/);
    expect(problem({ ...noKeys, apiKey: 'client' })).toMatch(/ROUTES\[0\]\.apiKey: "client" is not possible on bedrock/);
    expect(problem({ ...noKeys, apiKey: 'K', awsSessionToken: 'T' })).toMatch(/ROUTES\[0\]\.awsSessionToken: goes with awsAccessKeyId/);
    const { region: _region, ...noRegion } = bedrock;
    expect(problem(noRegion)).toMatch(/ROUTES\[0\]\.region: required field is missing/);
    expect(problem({ ...bedrock, region: 'US East 1' })).toMatch(/ROUTES\[0\]\.region: expected a region name/);
    expect(problem({ ...bedrock, bedrockApi: 'converse' })).toMatch(/ROUTES\[0\]\.bedrockApi/);
    expect(problem({ ...bedrock, inferenceProfile: 'mars' })).toMatch(/ROUTES\[0\]\.inferenceProfile/);
    const { serviceAccount: _sa, ...noAccount } = vertex;
    expect(problem(noAccount)).toMatch(/ROUTES\[0\]\.serviceAccount: required field is missing/);
    const { project: _p, ...noProject } = vertex;
    expect(problem(noProject)).toMatch(/ROUTES\[0\]\.project: required field is missing/);
    expect(problem({ ...vertex, apiKey: 'KEY' })).toMatch(/ROUTES\[0\]\.apiKey: vertex authenticates with serviceAccount/);
  });

  it("refuse another provider's fields", () => {
    expect(problem({ ...vertex, bedrockApi: 'invoke' })).toMatch(/ROUTES\[0\]\.bedrockApi: only provider "bedrock" takes this field/);
    expect(problem({ ...bedrock, serviceAccount: 'SA' })).toMatch(/ROUTES\[0\]\.serviceAccount: only provider "vertex" takes this field/);
    expect(problem({ match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', region: 'us-east-1' })).toMatch(
      /ROUTES\[0\]\.region: only providers/,
    );
    expect(problem({ match: '*', provider: 'openai', baseUrl: 'https://x.example/v1', awsAccessKeyId: 'K' })).toMatch(
      /ROUTES\[0\]\.awsAccessKeyId: only provider "bedrock"/,
    );
    expect(parseRoutes.bind(null, [{ ...bedrock, fallbacks: [{ provider: 'vertex', project: 'p', region: 'r' }] }])).toThrow(
      /ROUTES\[0\]\.fallbacks\[0\]\.serviceAccount: required field is missing/,
    );
  });
});
