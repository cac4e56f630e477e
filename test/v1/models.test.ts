import { afterEach, describe, expect, it } from 'vitest';
import { jsonResponse } from '../fixtures/anthropic';
import { scriptUpstream, send } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => upstream?.restore());

type ModelList = {
  data: { type: string; id: string; display_name: string; created_at: string }[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
};

const ROUTES = [
  { match: 'claude-haiku-*', provider: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen3:8b' },
  { match: 'claude-opus-4-8', provider: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-5.1', apiKey: 'OPENAI_API_KEY' },
  { match: '*', provider: 'openai', baseUrl: 'https://openrouter.ai/api/v1', model: 'deepseek/deepseek-chat', apiKey: 'OPENROUTER_API_KEY' },
];

describe('GET /v1/models', () => {
  it('lists the Claude-looking ids the configuration routes', async () => {
    upstream = scriptUpstream(() => jsonResponse({}));
    const { response } = await send('/v1/models?limit=1000', {}, { ROUTES });
    expect(response.status).toBe(200);
    const body = (await response.json()) as ModelList;
    expect(body.data.map((model) => model.id)).toEqual(['claude-haiku-qwen3:8b', 'claude-opus-4-8', 'claude-deepseek-deepseek-chat']);
    for (const model of body.data) {
      expect(model.type).toBe('model');
      expect(model.id).toMatch(/^claude/);
      expect(Date.parse(model.created_at)).not.toBeNaN();
    }
    expect(body.data[1]!.display_name).toBe('gpt-5.1 (openai)'); // never the host a route sends to
    expect(body).toMatchObject({ has_more: false, first_id: 'claude-haiku-qwen3:8b', last_id: 'claude-deepseek-deepseek-chat' });
    expect(upstream.calls).toHaveLength(0);
  });

  it('paginates with limit and after_id', async () => {
    const first = (await (await send('/v1/models?limit=2', {}, { ROUTES })).response.json()) as ModelList;
    expect(first.data).toHaveLength(2);
    expect(first.has_more).toBe(true);
    const second = (await (await send(`/v1/models?limit=2&after_id=${first.last_id}`, {}, { ROUTES })).response.json()) as ModelList;
    expect(second.data.map((model) => model.id)).toEqual(['claude-deepseek-deepseek-chat']);
    expect(second.has_more).toBe(false);
  });

  it("lists the upstream's own models for an Anthropic passthrough, with the client's key", async () => {
    upstream = scriptUpstream(() =>
      jsonResponse({ data: [{ type: 'model', id: 'claude-opus-4-8', display_name: 'Claude Opus 4.8', created_at: '2026-08-01T00:00:00Z' }], has_more: false }),
    );
    const { response } = await send('/v1/models', { headers: { 'x-api-key': 'sk-ant-client-key-123456', 'anthropic-version': '2023-06-01' } });
    const body = (await response.json()) as ModelList;
    expect(body.data).toEqual([{ type: 'model', id: 'claude-opus-4-8', display_name: 'Claude Opus 4.8', created_at: '2026-08-01T00:00:00Z' }]);
    expect(upstream.calls[0]!.url).toBe('https://api.anthropic.com/v1/models?limit=1000');
    expect(upstream.calls[0]!.headers.get('x-api-key')).toBe('sk-ant-client-key-123456');
  });

  it("gives up on an upstream's list that does not come in time, as on any upstream call, and lists the rest", async () => {
    let aborted = false;
    upstream = scriptUpstream(
      (_request, call) =>
        new Promise<Response>((_, reject) =>
          call.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          }),
        ),
    );
    const routes = [{ match: 'claude-*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'client', timeoutMs: 50 }, ROUTES[1]];
    const started = Date.now();
    const { response } = await send('/v1/models', { headers: { 'x-api-key': 'sk-ant-client-key-123456' } }, { ROUTES: routes });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(aborted).toBe(true);
    expect(((await response.json()) as ModelList).data.map((model) => model.id)).toEqual(['claude-opus-4-8']);
  });

  it('retrieves one model, or 404 naming it', async () => {
    const found = await send('/v1/models/claude-opus-4-8', {}, { ROUTES: [ROUTES[1]] });
    expect(await found.response.json()).toMatchObject({ type: 'model', id: 'claude-opus-4-8' });
    const missing = await send('/v1/models/gpt-4o', {}, { ROUTES: [ROUTES[1]] });
    expect(missing.response.status).toBe(404);
    expect(await missing.response.json()).toMatchObject({
      type: 'error',
      error: { type: 'not_found_error', message: expect.stringContaining('model: gpt-4o') },
    });
  });
});

describe('GET /v1/models for Bedrock and Vertex routes', () => {
  const bedrock = { provider: 'bedrock', region: 'us-east-1', awsAccessKeyId: 'K', awsSecretAccessKey: 'S' };
  const vertex = { provider: 'vertex', project: 'p', region: 'us-east5', serviceAccount: 'SA' };

  it('lists the Claude ids a route that maps ids serves, each with the platform id it goes as', async () => {
    const routes = [
      { match: 'claude-haiku-*', ...vertex },
      { match: 'claude-*', ...bedrock },
    ];
    const body = (await (await send('/v1/models?limit=1000', {}, { ROUTES: routes })).response.json()) as ModelList;
    const ids = body.data.map((model) => model.id);
    expect(ids).toContain('claude-haiku-4-5-20251001');
    expect(ids).toContain('claude-sonnet-4-5-20250929');
    expect(ids).toContain('claude-opus-4-6');
    expect(body.data.find((model) => model.id === 'claude-haiku-4-5-20251001')!.display_name).toBe('claude-haiku-4-5@20251001 (vertex us-east5)');
    expect(body.data.find((model) => model.id === 'claude-sonnet-4-5-20250929')!.display_name).toBe(
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0 (bedrock us-east-1)',
    );
    expect(body.data.find((model) => model.id === 'claude-opus-4-6')!.display_name).toBe('us.anthropic.claude-opus-4-6-v1 (bedrock us-east-1)');
    // every haiku id belongs to the first route, listed once
    expect(ids.filter((id) => id.startsWith('claude-haiku'))).toEqual(['claude-haiku-4-5-20251001']);
  });

  it("lists the Claude id a route's fixed model stands for", async () => {
    const routes = [
      { match: 'claude-*', ...bedrock, model: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0' },
      { match: 'claude-*', ...vertex, model: 'claude-opus-4-6' },
    ];
    const body = (await (await send('/v1/models', {}, { ROUTES: routes })).response.json()) as ModelList;
    expect(body.data.map((model) => [model.id, model.display_name])).toEqual([
      ['claude-sonnet-4-5-20250929', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0 (bedrock us-east-1)'],
    ]);
  });
});
