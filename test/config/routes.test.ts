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
