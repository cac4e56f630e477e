import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { loadConfig } from '../../src/config';
import { isSecretHeader, redactHeaders, scrubSecrets } from '../../src/core/redact';

describe('redaction', () => {
  it('redacts credential-bearing headers by name', () => {
    const headers = new Headers({
      'x-api-key': 'a',
      authorization: 'Bearer b',
      cookie: 'c',
      'x-goog-api-key': 'd',
      'x-auth-token': 'e',
      'openai-client-secret': 'f',
      'anthropic-version': '2023-06-01',
      'x-claude-code-session-id': 's1',
    });
    expect(redactHeaders(headers)).toEqual({
      'x-api-key': '[redacted]',
      authorization: '[redacted]',
      cookie: '[redacted]',
      'x-goog-api-key': '[redacted]',
      'x-auth-token': '[redacted]',
      'openai-client-secret': '[redacted]',
      'anthropic-version': '2023-06-01',
      'x-claude-code-session-id': 's1',
    });
    expect(isSecretHeader('user-agent')).toBe(false);
  });

  it('scrubs known secrets and anything shaped like a provider key', () => {
    const anthropic = `sk-ant-api03-${'x'.repeat(93)}AA`;
    const openai = `sk-proj-${'y'.repeat(120)}`;
    const deepseek = `sk-${'0123456789abcdef'.repeat(2)}`;
    const google = `AIza${'z'.repeat(35)}`;
    const text = `keys: ${anthropic} ${openai} ${deepseek} ${google} and my-own-secret-value; but not sk-short or "task-ant"`;
    expect(scrubSecrets(text, ['my-own-secret-value', 'short'])).toBe(
      'keys: [redacted] [redacted] [redacted] [redacted] and [redacted]; but not sk-short or "task-ant"',
    );
  });

  it('collects the secrets a configuration holds: route keys, plain proxy keys and the admin token, not digests', () => {
    const routes = [
      { match: 'a', provider: 'openai', baseUrl: 'https://a.test/v1', apiKey: 'A' },
      { match: 'c', provider: 'anthropic', baseUrl: 'https://c.test', apiKey: 'client' },
      { match: '*', provider: 'openai', baseUrl: 'https://b.test/v1', apiKey: 'B', fallbacks: [{ provider: 'openai', baseUrl: 'https://d.test/v1' }] },
    ];
    const config = loadConfig({
      ...env,
      ROUTES: routes,
      A: 'sk-route-a-secret',
      B: 'sk-route-b-secret',
      ADMIN_TOKEN: 'admin-token-value-0123456789',
      PROXY_API_KEYS: `plain-one, named:value-two, sha256:${'ab'.repeat(32)}, ci:sha256:${'cd'.repeat(32)}`,
    });
    expect([...config.secrets].sort()).toEqual(['admin-token-value-0123456789', 'plain-one', 'sk-route-a-secret', 'sk-route-b-secret', 'value-two']);
  });
});
