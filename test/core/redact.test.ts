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

  it('finds every provider key shape, alone and inside other text (the cheap test before the search misses none)', () => {
    const keys = [
      `sk-ant-api03-${'x'.repeat(93)}AA`,
      `sk-ant-oat01-${'Gg3y'.repeat(23)}GGGG`,
      `sk-proj-${'y'.repeat(40)}`,
      `sk-svcacct-${'y'.repeat(40)}`,
      `sk-admin-${'y'.repeat(40)}`,
      `sk-or-v1-${'a1'.repeat(32)}`,
      `sk-${'0123456789abcdef'.repeat(2)}`,
      `AIza${'z'.repeat(35)}`,
      `gsk_${'g'.repeat(52)}`,
      `ya29.${'q'.repeat(60)}`,
      'AKIAIOSFODNN7EXAMPLE',
      'ASIAY34FZKBOKMUTVV7A',
      '-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----',
    ];
    for (const key of keys) {
      expect(scrubSecrets(key, [])).toBe('[redacted]');
      expect(scrubSecrets(`a prompt with ${key} in it`, [])).toBe('a prompt with [redacted] in it');
    }
    expect(scrubSecrets('nothing here: sk_live, AIz, gsk-, ya29, AKIA1', [])).toBe('nothing here: sk_live, AIz, gsk-, ya29, AKIA1');
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

  it('scrubs the shapes of cloud credentials: Google access tokens, AWS access key ids, PEM private keys raw or inside JSON', () => {
    const token = `ya29.a0AfB_byC${'q'.repeat(150)}`;
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';
    const text = `t=${token} id=AKIAIOSFODNN7EXAMPLE temp=ASIAY34FZKBOKMUTVV7A key=${pem} json=${JSON.stringify({ private_key: pem })} not=AKIAshort`;
    expect(scrubSecrets(text, [])).toBe('t=[redacted] id=[redacted] temp=[redacted] key=[redacted]\n json={"private_key":"[redacted]\\n"} not=AKIAshort');
  });

  it('scrubs a private key cut before its END line, and keeps text that only names the header', () => {
    const cut = 'key: -----BEGIN RSA PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7';
    expect(scrubSecrets(cut, [])).toBe('key: [redacted]');
    const code = "if (pem.startsWith('-----BEGIN PRIVATE KEY-----')) return parse(pem);";
    expect(scrubSecrets(code, [])).toBe("if (pem.startsWith('[redacted]')) return parse(pem);");
  });

  it('scrubs text full of BEGIN lines with no END in one pass (a lazy regex took seconds per MB)', () => {
    const hostile = `x${'-----BEGIN PRIVATE KEY-----'.repeat(40_000)}y`; // ~1 MB
    const started = performance.now();
    const out = scrubSecrets(hostile, []);
    // Generous: one pass takes milliseconds; the quadratic search took ~14 s on this input.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(out.startsWith('x[redacted]')).toBe(true);
    expect(out).not.toContain('BEGIN PRIVATE KEY');
  });

  it("holds the platforms' credentials: AWS keys, session tokens, the whole service-account JSON and the private key inside it", () => {
    const account = JSON.stringify({
      type: 'service_account',
      private_key_id: 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed',
      private_key: '-----BEGIN PRIVATE KEY-----\nAAAAline1AAAAAAAAAA\nBBBBline2BBBBBBBBBB\n-----END PRIVATE KEY-----\n',
      client_email: 'a@b.iam.gserviceaccount.com',
    });
    const config = loadConfig({
      ...env,
      ROUTES: [
        { match: 'b*', provider: 'bedrock', region: 'us-east-1', awsAccessKeyId: 'ID', awsSecretAccessKey: 'SECRET', awsSessionToken: 'TOKEN' },
        { match: 'k*', provider: 'bedrock', region: 'us-east-1', apiKey: 'BEDROCK_KEY' },
        { match: '*', provider: 'vertex', project: 'p', region: 'global', serviceAccount: 'SA' },
      ],
      ID: 'AKIAIOSFODNN7EXAMPLE',
      SECRET: 'aws-secret-access-key-value',
      TOKEN: 'aws-session-token-value',
      BEDROCK_KEY: 'bedrock-api-key-value',
      SA: account,
    });
    const pem = (JSON.parse(account) as { private_key: string }).private_key;
    expect([...config.secrets].sort()).toEqual(
      [
        'AKIAIOSFODNN7EXAMPLE',
        'aws-secret-access-key-value',
        'aws-session-token-value',
        'bedrock-api-key-value',
        account,
        'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed',
        pem,
        JSON.stringify(pem).slice(1, -1),
        'AAAAline1AAAAAAAAAA',
        'BBBBline2BBBBBBBBBB',
      ].sort(),
    );
  });
});
