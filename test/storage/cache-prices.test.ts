/**
 * Cache reads on OpenAI-family, Gemini and OpenRouter targets are priced at the cache-read price
 * the seed migrations hold, end to end: the upstream's cached tokens become
 * cache_read_input_tokens, and the trace's cost uses the row for the target model.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { completion, openaiRoute, proxyAuth } from '../fixtures/openai';
import { item, responseObject } from '../fixtures/scripted-responses.mjs';
import { post, scriptUpstream, traceOf } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => upstream?.restore());

const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
const request = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };

/** Cost in µ$ from tokens and $/Mtok: what the price row must give. */
const micros = (input: number, inputPrice: number, cached: number, cachePrice: number, output: number, outputPrice: number, written = 0, writePrice = 0) =>
  Math.round(input * inputPrice + cached * cachePrice + output * outputPrice + written * writePrice);

describe('cache prices for translated targets', () => {
  it('prices a Responses API answer on gpt-5.1-codex with its cached input at the cache-read price', async () => {
    upstream = scriptUpstream(() => json(responseObject([item.message('ok')], { usage: { input_tokens: 100_000, output_tokens: 2_000, cached: 80_000 } })));
    const route = {
      ...openaiRoute(),
      ROUTES: [{ match: 'claude-*', provider: 'openai-responses', baseUrl: 'https://api.openai.com/v1', model: 'gpt-5.1-codex', apiKey: 'UPSTREAM_KEY' }],
    };
    const row = await traceOf(await post('/v1/messages', request, proxyAuth, route));
    expect(row).toMatchObject({ inputTokens: 20_000, cacheReadInputTokens: 80_000, outputTokens: 2_000 });
    expect(row.costMicros).toBe(micros(20_000, 1.25, 80_000, 0.125, 2_000, 10));
  });

  it('prices Gemini 3 and OpenRouter Claude (cache writes too) from the seeded rows', async () => {
    upstream = scriptUpstream(() =>
      json(
        completion({ content: 'ok' }, 'stop', {
          prompt_tokens: 50_000,
          completion_tokens: 1_000,
          prompt_tokens_details: { cached_tokens: 30_000, cache_write_tokens: 10_000 },
        }),
      ),
    );
    const gemini = await traceOf(
      await post(
        '/v1/messages',
        request,
        proxyAuth,
        openaiRoute({ baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai', model: 'gemini-3-pro-preview' }),
      ),
    );
    expect(gemini.costMicros).toBe(micros(10_000, 2, 30_000, 0.2, 1_000, 12, 10_000, 2));
    const claude = await traceOf(
      await post('/v1/messages', request, proxyAuth, openaiRoute({ baseUrl: 'https://openrouter.ai/api/v1', model: 'anthropic/claude-sonnet-4.6' })),
    );
    expect(claude).toMatchObject({ inputTokens: 10_000, cacheReadInputTokens: 30_000, cacheCreationInputTokens: 10_000 });
    expect(claude.costMicros).toBe(micros(10_000, 3, 30_000, 0.3, 1_000, 15, 10_000, 3.75));
  });
});
