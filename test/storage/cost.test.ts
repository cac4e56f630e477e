import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { afterEach, describe, expect, it } from 'vitest';
import { modelPrices, type ModelPrice } from '../../src/storage/schema';
import { costMicros, findPrice } from '../../src/storage/prices';
import { jsonResponse, messageRequest, messageResponse } from '../fixtures/anthropic';
import { completion, openaiRoute, proxyAuth } from '../fixtures/openai';
import { post, scriptUpstream, traceOf } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => upstream?.restore());

const price = (
  id: number,
  model: string,
  effectiveFrom: string,
  input = 1,
  output = 2,
  cacheRead: number | null = 0.1,
  cacheWrite: number | null = 1.25,
): ModelPrice => ({
  id,
  model,
  effectiveFrom,
  inputUsdPerMtok: input,
  outputUsdPerMtok: output,
  cacheReadUsdPerMtok: cacheRead,
  cacheWriteUsdPerMtok: cacheWrite,
  source: null,
});

describe('findPrice', () => {
  const prices = [
    price(1, 'gpt-4o*', '2024-01-01'),
    price(2, 'gpt-4o-mini*', '2024-01-01'),
    price(3, 'gpt-4o-mini-2024-07-18', '2024-01-01'),
    price(4, 'claude-sonnet-4-6*', '2025-01-01', 3),
    price(5, 'claude-sonnet-4-6*', '2026-06-01', 2.5),
    price(6, 'future-model', '2030-01-01'),
  ];

  it('prefers an exact id, then the longest prefix', () => {
    expect(findPrice('gpt-4o-mini-2024-07-18', '2026-01-01', prices)?.id).toBe(3);
    expect(findPrice('gpt-4o-mini', '2026-01-01', prices)?.id).toBe(2);
    expect(findPrice('gpt-4o-2024-08-06', '2026-01-01', prices)?.id).toBe(1);
    expect(findPrice('GPT-4O', '2026-01-01', prices)?.id).toBe(1);
  });

  it('takes the latest price in effect on the day', () => {
    expect(findPrice('claude-sonnet-4-6', '2026-05-31', prices)?.id).toBe(4);
    expect(findPrice('claude-sonnet-4-6', '2026-06-01', prices)?.id).toBe(5);
    expect(findPrice('claude-sonnet-4-6', '2024-12-31', prices)).toBeNull();
    expect(findPrice('future-model', '2026-01-01', prices)).toBeNull();
  });

  it('finds nothing for unknown or missing models', () => {
    expect(findPrice('my-local-llama', '2026-01-01', prices)).toBeNull();
    expect(findPrice(null, '2026-01-01', prices)).toBeNull();
  });
});

describe('costMicros', () => {
  it('adds input, output, cache reads and cache writes at their own prices', () => {
    // 1000 × $3 + 500 × $15 + 2000 × $0.30 + 400 × $3.75 per million = $0.0126 = 12600 µ$
    const sonnet = price(1, 'x', '2025-01-01', 3, 15, 0.3, 3.75);
    expect(costMicros({ inputTokens: 1000, outputTokens: 500, cacheReadInputTokens: 2000, cacheCreationInputTokens: 400 }, sonnet)).toBe(12_600);
  });

  it('costs cache tokens as input when the row has no cache prices, and rounds to whole micro-dollars', () => {
    const plain = price(1, 'x', '2025-01-01', 0.15, 0.6, null, null);
    expect(costMicros({ inputTokens: 10, outputTokens: 3, cacheReadInputTokens: 7, cacheCreationInputTokens: 0 }, plain)).toBe(Math.round(17 * 0.15 + 3 * 0.6));
  });

  it('is null, not zero, when nothing reported usage', () => {
    expect(
      costMicros({ inputTokens: null, outputTokens: null, cacheReadInputTokens: null, cacheCreationInputTokens: null }, price(1, 'x', '2025-01-01')),
    ).toBeNull();
  });
});

describe('cost on stored traces', () => {
  it('is seeded with current public prices for the common models', async () => {
    const rows = await drizzle(env.DB).select().from(modelPrices);
    expect(rows.length).toBeGreaterThan(30);
    const models = rows.map((row) => row.model);
    for (const model of [
      'claude-sonnet-4-6*',
      'claude-haiku-4-5*',
      'claude-opus-4-8*',
      'gpt-5.1*',
      'gpt-4.1*',
      'deepseek-chat',
      'gemini-2.5-pro*',
      'anthropic/claude-sonnet-4.5',
    ]) {
      expect(models).toContain(model);
    }
    for (const row of rows) {
      expect(row.inputUsdPerMtok).toBeGreaterThan(0);
      expect(row.outputUsdPerMtok).toBeGreaterThanOrEqual(row.inputUsdPerMtok);
      expect(row.effectiveFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('stores each trace’s cost in micro-dollars and the price row it used', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse)); // usage: 12 in, 6 out, 4 cache read
    const sent = await post('/v1/messages', messageRequest, { 'x-api-key': 'sk-ant-cost-test-client' });
    const row = await traceOf(sent);
    const used = await drizzle(env.DB).select().from(modelPrices).all();
    const sonnet = used.find((p) => p.id === row.priceId)!;
    expect(sonnet.model).toBe('claude-sonnet-4-6*');
    expect(row.costMicros).toBe(Math.round(12 * 3 + 6 * 15 + 4 * 0.3));
  });

  it('prices the target model of a translated request, and leaves the cost null for a model without a price', async () => {
    upstream = scriptUpstream(() => jsonResponse(completion({ content: 'ok' }, 'stop', { prompt_tokens: 1000, completion_tokens: 100 })));
    const priced = await post('/v1/messages', messageRequest, proxyAuth, openaiRoute({ model: 'gpt-4.1-mini' }));
    const pricedRow = await traceOf(priced);
    expect(pricedRow.costMicros).toBe(Math.round(1000 * 0.4 + 100 * 1.6));
    const unpriced = await post('/v1/messages', messageRequest, proxyAuth, openaiRoute({ model: 'my-local-llama' }));
    const unpricedRow = await traceOf(unpriced);
    expect(unpricedRow.inputTokens).toBe(1000);
    expect(unpricedRow.costMicros).toBeNull();
    expect(unpricedRow.priceId).toBeNull();
  });
});
