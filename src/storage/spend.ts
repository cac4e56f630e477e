import { inArray, type SQL, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Database } from '../config';
import type { Budget } from '../config/budgets';
import { ProxyError } from '../core/errors';
import { log } from '../core/log';
import { keySpend } from './schema';

/**
 * Spend accounting for KEY_BUDGETS, checked before a request is sent upstream.
 *
 * Spend lives in `key_spend` (a row per key per UTC day and month, added to for every finished
 * request of a named key, traced or not). Each isolate keeps a copy of the current day's and
 * month's rows and refreshes it in the background every SPEND_REFRESH_MS, so a request waits for
 * D1 only when it is its isolate's first budgeted one (and then at most
 * SPEND_FIRST_READ_WAIT_MS). The copy also adds this isolate's own spend as soon as it is written.
 * The overshoot this allows is bounded: a key can pass its cap by what its requests already in
 * flight cost, plus what other isolates spent for it in the last SPEND_REFRESH_MS.
 */

/** How often an isolate re-reads key_spend: the other isolates' share of the overshoot. */
export const SPEND_REFRESH_MS = 10_000;

/** The UTC day and month a moment falls in, as key_spend names them. */
export function spendPeriods(now: number): { day: string; month: string } {
  const iso = new Date(now).toISOString();
  return { day: iso.slice(0, 10), month: iso.slice(0, 7) };
}

interface SpendCopy {
  /** The UTC day and month the figures are for. */
  day: string;
  month: string;
  /** When the last read of D1 was asked for (answered or not): refreshes are spaced from it. */
  at: number;
  /** Micro-dollars per key name, today and this month. */
  spent: Map<string, { day: number; month: number }>;
  /** The read under way, shared by every request that wants it. */
  loading: Promise<void> | null;
  /** Whether a request has already waited for a first read: later ones never wait. */
  waited: boolean;
}

/** The longest an isolate's first budgeted request waits for D1; after it, the request goes on. */
export const SPEND_FIRST_READ_WAIT_MS = 1_000;

const copies = new WeakMap<D1Database, SpendCopy>();

async function readSpend(d1: D1Database, day: string, month: string): Promise<Map<string, { day: number; month: number }>> {
  const rows = await drizzle(d1)
    .select({ key: keySpend.apiKeyName, period: keySpend.period, costMicros: keySpend.costMicros })
    .from(keySpend)
    .where(inArray(keySpend.period, [day, month]));
  const spent = new Map<string, { day: number; month: number }>();
  for (const row of rows) {
    const entry = spent.get(row.key) ?? { day: 0, month: 0 };
    if (row.period === day) entry.day = row.costMicros;
    else entry.month = row.costMicros;
    spent.set(row.key, entry);
  }
  return spent;
}

/** Re-reads the copy's periods. A failure keeps the figures and waits SPEND_REFRESH_MS like a success. */
function load(d1: D1Database, copy: SpendCopy, now: number, traceId: string | null): Promise<void> {
  const { day, month } = copy;
  copy.loading = readSpend(d1, day, month)
    .then(
      (spent) => {
        // A day that began during the read has its own figures by now.
        if (copy.day === day) copy.spent = spent;
      },
      (err) => log('warn', 'key_spend_read_failed', traceId, { error: String(err) }),
    )
    .finally(() => {
      copy.at = now;
      copy.loading = null;
    });
  return copy.loading;
}

/** A UTC day began: today's spend starts at 0; the month's carries on unless a month began too. */
function rollOver(copy: SpendCopy, day: string, month: string): void {
  const newMonth = month !== copy.month;
  for (const entry of copy.spent.values()) {
    entry.day = 0;
    if (newMonth) entry.month = 0;
  }
  copy.day = day;
  copy.month = month;
  copy.at = 0;
}

/**
 * What a key has spent today and this month, in micro-dollars, from the isolate's copy. Only an
 * isolate's first budgeted request waits for D1 (at most SPEND_FIRST_READ_WAIT_MS, shared with
 * any request arriving meanwhile); afterwards a copy older than SPEND_REFRESH_MS is re-read in
 * `background`, and the request goes on with the figures it has.
 */
export async function spentBy(
  d1: D1Database,
  keyName: string,
  now: number,
  background: (work: Promise<unknown>) => void,
  traceId: string | null = null,
): Promise<{ day: number; month: number }> {
  const { day, month } = spendPeriods(now);
  let copy = copies.get(d1);
  if (!copy) {
    copy = { day, month, at: 0, spent: new Map(), loading: null, waited: false };
    copies.set(d1, copy);
  } else if (copy.day !== day) {
    rollOver(copy, day, month);
  }
  if (!copy.loading && now - copy.at >= SPEND_REFRESH_MS) background(load(d1, copy, now, traceId));
  if (!copy.waited && copy.loading) {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, SPEND_FIRST_READ_WAIT_MS)));
    await Promise.race([copy.loading, waited]);
    if (timer !== null) clearTimeout(timer);
    copy.waited = true;
  }
  return copy.spent.get(keyName) ?? { day: 0, month: 0 };
}

/** Adds a written request's cost to this isolate's copy, so its next request sees it at once. */
export function noteSpend(d1: D1Database, keyName: string, costMicros: number, at: number): void {
  const copy = copies.get(d1);
  if (!copy || costMicros <= 0) return;
  const { day, month } = spendPeriods(at);
  const entry = copy.spent.get(keyName) ?? { day: 0, month: 0 };
  if (day === copy.day) entry.day += costMicros;
  if (month === copy.month) entry.month += costMicros;
  copy.spent.set(keyName, entry);
}

/**
 * The statement that adds a request's cost to its key's day and month rows. With `firstTime`, an
 * existing row is added to only while it holds (a write delivered again adds nothing).
 */
export function addSpend(db: Database, keyName: string, costMicros: number, at: Date, firstTime?: SQL) {
  const { day, month } = spendPeriods(at.getTime());
  return db
    .insert(keySpend)
    .values([
      { apiKeyName: keyName, period: day, costMicros, requests: 1, updatedAt: at },
      { apiKeyName: keyName, period: month, costMicros, requests: 1, updatedAt: at },
    ])
    .onConflictDoUpdate({
      target: [keySpend.period, keySpend.apiKeyName],
      set: {
        costMicros: sql`${keySpend.costMicros} + excluded.cost_micros`,
        requests: sql`${keySpend.requests} + 1`,
        updatedAt: sql`excluded.updated_at`,
      },
      setWhere: firstTime,
    });
}

function usd(micros: number): string {
  return `$${(micros / 1e6).toFixed(2)}`;
}

function nextUtcDay(now: number): Date {
  const date = new Date(now);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1));
}

function nextUtcMonth(now: number): Date {
  const date = new Date(now);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
}

function untilText(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.round(hours / 24)} days`;
}

/**
 * The request-path check: refuses a key past its cap. D1 trouble lets the request through
 * (budgets must never turn a database hiccup into an outage); it is logged.
 */
export async function enforceBudget(
  d1: D1Database,
  keyName: string,
  budget: Budget,
  traceId: string,
  background: (work: Promise<unknown>) => void,
): Promise<void> {
  const now = Date.now();
  checkBudget(keyName, budget, await spentBy(d1, keyName, now, background, traceId), now);
}

/**
 * Refuses a key that has reached a cap with 403 `permission_error`: clients retry 429s, but
 * retrying here cannot help before the reset, which the message names.
 */
export function checkBudget(keyName: string, budget: Budget, spent: { day: number; month: number }, now: number): void {
  const over =
    budget.daily !== undefined && spent.day >= budget.daily * 1e6
      ? { period: 'daily', cap: budget.daily, spent: spent.day, when: 'today (UTC)', resets: nextUtcDay(now) }
      : budget.monthly !== undefined && spent.month >= budget.monthly * 1e6
        ? { period: 'monthly', cap: budget.monthly, spent: spent.month, when: 'this month (UTC)', resets: nextUtcMonth(now) }
        : null;
  if (!over) return;
  throw new ProxyError(
    'permission_error',
    `Budget exceeded for API key "${keyName}": its ${over.period} budget (KEY_BUDGETS) is ${usd(over.cap * 1e6)} and it has spent ${usd(over.spent)} ${over.when}. ` +
      `It resets at ${over.resets.toISOString()} (in ${untilText(over.resets.getTime() - now)}); ask the proxy's owner to raise the budget sooner.`,
    403,
  );
}
