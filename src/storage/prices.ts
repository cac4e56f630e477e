import type { Database } from '../config';
import { type ModelPrice, modelPrices, type NewTrace } from './schema';

/**
 * The price row for a model on a day: an exact id beats a `prefix*` pattern, a longer prefix
 * beats a shorter one, and among those the latest `effective_from` not after the day wins.
 */
export function findPrice(model: string | null | undefined, day: string, prices: readonly ModelPrice[]): ModelPrice | null {
  if (!model) return null;
  const id = model.toLowerCase();
  let best: ModelPrice | null = null;
  let bestRank = -1;
  for (const price of prices) {
    if (price.effectiveFrom > day) continue;
    const pattern = price.model.toLowerCase();
    const prefix = pattern.endsWith('*');
    const matches = prefix ? id.startsWith(pattern.slice(0, -1)) : id === pattern;
    if (!matches) continue;
    // exact ids outrank any prefix; longer prefixes outrank shorter ones
    const rank = prefix ? pattern.length : Number.MAX_SAFE_INTEGER;
    if (rank > bestRank || (rank === bestRank && best && price.effectiveFrom > best.effectiveFrom)) {
      best = price;
      bestRank = rank;
    }
  }
  return best;
}

/**
 * Cost in millionths of a dollar: tokens × dollars per million tokens. A cache price left empty
 * costs as input. Null when the answer reported no usage at all.
 */
export function costMicros(
  row: Pick<NewTrace, 'inputTokens' | 'outputTokens' | 'cacheReadInputTokens' | 'cacheCreationInputTokens'>,
  price: ModelPrice,
): number | null {
  if (row.inputTokens == null && row.outputTokens == null) return null;
  const input = row.inputTokens ?? 0;
  const output = row.outputTokens ?? 0;
  const cacheRead = row.cacheReadInputTokens ?? 0;
  const cacheWrite = row.cacheCreationInputTokens ?? 0;
  return Math.round(
    input * price.inputUsdPerMtok +
      output * price.outputUsdPerMtok +
      cacheRead * (price.cacheReadUsdPerMtok ?? price.inputUsdPerMtok) +
      cacheWrite * (price.cacheWriteUsdPerMtok ?? price.inputUsdPerMtok),
  );
}

/** A trace's day, as model_prices.effective_from compares it. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Prices are read from D1 at most once a minute per isolate: edits in Studio apply within a minute. */
const PRICE_TTL_MS = 60_000;
const priceCache = new WeakMap<object, { at: number; prices: Promise<ModelPrice[]> }>();

/** The model_prices table, from this isolate's copy (re-read once a minute); empty when D1 fails. */
export function loadPrices(db: Database): Promise<ModelPrice[]> {
  const cached = priceCache.get(db);
  if (cached && Date.now() - cached.at < PRICE_TTL_MS) return cached.prices;
  // Without prices the trace is still written, with a null cost.
  const loading = Promise.resolve()
    .then(() => db.select().from(modelPrices).all())
    .catch(() => [] as ModelPrice[]);
  priceCache.set(db, { at: Date.now(), prices: loading });
  return loading;
}

/** What a request cost, and the price row it was computed with. */
export interface Cost {
  costMicros: number | null;
  priceId: number | null;
}

/** Prices a finished request from its usage and its (target, else requested) model. */
export async function priceRequest(
  db: Database,
  usage: Pick<NewTrace, 'targetModel' | 'requestedModel' | 'createdAt' | 'inputTokens' | 'outputTokens' | 'cacheReadInputTokens' | 'cacheCreationInputTokens'>,
): Promise<Cost> {
  const price = findPrice(usage.targetModel ?? usage.requestedModel, utcDay(usage.createdAt), await loadPrices(db));
  return price ? { costMicros: costMicros(usage, price), priceId: price.id } : { costMicros: null, priceId: null };
}
