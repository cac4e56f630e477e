import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTES, parseRoutes } from '../../src/config/routes';
import { globToRegExp } from '../../src/core/glob';
import { matchRoute } from '../../src/routing/match';
import { joinUrl } from '../../src/upstream/http';

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
      expect(routes[0]).toMatchObject(DEFAULT_ROUTES[0]!);
      expect(matchRoute(routes, 'claude-opus-4-8')?.baseUrl).toBe('https://api.anthropic.com');
    }
  });

  it('accepts a JSON array or a string holding one', () => {
    const config = [{ match: 'claude-*', provider: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen3' }];
    expect(parseRoutes(config)[0]).toMatchObject(config[0]!);
    expect(parseRoutes(JSON.stringify(config))[0]).toMatchObject({ ...config[0], index: 0 });
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
