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
    expect(aws).toMatchObject({ provider: 'bedrock', baseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com', region: 'us-east-1' });
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
    expect(keyed!.baseUrl).toBe('https://vpce-1.bedrock-runtime.eu-west-1.vpce.amazonaws.com');
    expect(parseRoutes([{ ...vertex, model: 'claude-sonnet-4-5@20250929' }])[0]!.baseUrl).toBe('https://us-east5-aiplatform.googleapis.com');
    expect(parseRoutes([{ ...vertex, region: 'global' }])[0]!.baseUrl).toBe('https://aiplatform.googleapis.com');
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
