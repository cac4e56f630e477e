import { sql } from 'drizzle-orm';
import type { Config } from '../config';
import type { AlertsConfig } from '../config/alerts';
import { errorText } from '../core/errors';
import { log } from '../core/log';
import { stats } from '../storage/queries';
import { type AlertState, alertState } from '../storage/schema';

/**
 * Alerts, evaluated by the cron over the last window of traces: error rate and p95 duration per
 * target model, and spend per hour. A crossed threshold is POSTed to ALERT_WEBHOOK_URL as a
 * Slack-compatible message; it is not repeated within the cool-down, and its end is announced.
 * State lives in `alert_state`, since each cron run is a fresh invocation.
 */

type Kind = 'error_rate' | 'p95_ms' | 'spend_per_hour';

/** One watched condition as measured now. */
export interface Reading {
  /** `error_rate:<model>`, `p95_ms:<model>`, `spend_per_hour`. */
  key: string;
  kind: Kind;
  model: string | null;
  /** The measured value; null when there was nothing to measure (no traffic). */
  value: number | null;
  /** False when too few requests (minRequests) to judge: the condition keeps its state. */
  judged: boolean;
  threshold: number;
  crossed: boolean;
  requests: number;
  errors: number;
}

/** Reads the window's numbers and compares them with the thresholds. Pure over `stats()`'s output. */
export function readingsFrom(config: AlertsConfig, window: Awaited<ReturnType<typeof stats>>): Reading[] {
  const readings: Reading[] = [];
  for (const model of window.models) {
    // Requests refused before routing (bad input, unknown model) have no target: not a model's health.
    if (model.model === null) continue;
    const judged = model.requests >= config.minRequests;
    const base = { model: model.model, requests: model.requests, errors: model.errors };
    if (config.errorRate !== undefined) {
      const rate = model.requests > 0 ? model.errors / model.requests : 0;
      readings.push({
        ...base,
        key: `error_rate:${model.model}`,
        kind: 'error_rate',
        value: rate,
        threshold: config.errorRate,
        judged,
        crossed: judged && rate > config.errorRate,
      });
    }
    if (config.p95Ms !== undefined) {
      const p95 = model.duration.p95;
      readings.push({
        ...base,
        key: `p95_ms:${model.model}`,
        kind: 'p95_ms',
        value: p95,
        threshold: config.p95Ms,
        judged,
        crossed: judged && p95 !== null && p95 > config.p95Ms,
      });
    }
  }
  if (config.spendPerHour !== undefined) {
    const perHour = ((window.costMicros ?? 0) / 1e6) * (60 / config.windowMinutes);
    readings.push({
      key: 'spend_per_hour',
      kind: 'spend_per_hour',
      model: null,
      value: perHour,
      threshold: config.spendPerHour,
      judged: true,
      crossed: perHour > config.spendPerHour,
      requests: window.requests,
      errors: window.errors,
    });
  }
  return readings;
}

/** What to tell the owner about a condition this run, if anything. */
export type Notice = 'firing' | 'still_firing' | 'resolved';

export interface Transition {
  reading: Reading;
  notice: Notice | null;
  /** The state to store if the notice goes out (or if there is none). */
  next: Omit<AlertState, 'updatedAt'>;
}

/**
 * The state machine, pure: a condition that starts firing is announced unless a firing message
 * for it went out less than a cool-down ago (flapping); one that keeps firing is repeated once
 * per cool-down; one that clears is announced as resolved if its firing was.
 */
export function transition(reading: Reading, previous: AlertState | undefined, now: number, cooldownMs: number): Transition {
  const wasFiring = previous?.firing ?? false;
  const notifiedAt = previous?.notifiedAt?.getTime() ?? null;
  const cooledDown = notifiedAt === null || now - notifiedAt >= cooldownMs;
  const base = { key: reading.key, value: reading.value, threshold: reading.threshold };
  if (reading.crossed) {
    const since = wasFiring ? previous!.since : new Date(now);
    const announced = wasFiring && previous!.announced;
    const notice: Notice | null = cooledDown ? (announced ? 'still_firing' : 'firing') : null;
    return {
      reading,
      notice,
      next: { ...base, firing: true, since, notifiedAt: notice ? new Date(now) : (previous?.notifiedAt ?? null), announced: announced || notice !== null },
    };
  }
  return {
    reading,
    notice: wasFiring && previous!.announced ? 'resolved' : null,
    next: {
      ...base,
      firing: false,
      since: wasFiring ? new Date(now) : (previous?.since ?? new Date(now)),
      notifiedAt: previous?.notifiedAt ?? null,
      announced: false,
    },
  };
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function formatValue(kind: Kind, value: number | null): string {
  if (value === null) return 'n/a';
  if (kind === 'error_rate') return percent(value);
  if (kind === 'p95_ms') return `${Math.round(value)} ms`;
  return `$${value.toFixed(2)}/h`;
}

function describe(reading: Reading): string {
  if (reading.kind === 'error_rate') return `error rate of ${reading.model}`;
  if (reading.kind === 'p95_ms') return `p95 duration of ${reading.model}`;
  return 'spend';
}

/** A Slack-compatible body: `text` for people, `attachments[].fields` for Slack, `alert` for machines. */
export function alertMessage(t: Transition, config: AlertsConfig, now: number): Record<string, unknown> {
  const { reading, notice } = t;
  const what = describe(reading);
  const value = formatValue(reading.kind, reading.value);
  const threshold = formatValue(reading.kind, reading.threshold);
  const window = `the last ${config.windowMinutes} min`;
  const detail = reading.kind === 'spend_per_hour' ? `${reading.requests} requests` : `${reading.errors} of ${reading.requests} requests failed`;
  const text =
    notice === 'resolved'
      ? reading.value === null
        ? `:white_check_mark: claude-proxy resolved: ${what}: no requests over ${window}.`
        : `:white_check_mark: claude-proxy resolved: ${what} is ${value} over ${window}, back within ${threshold}.`
      : `:rotating_light: claude-proxy alert: ${what} is ${value} over ${window}, above ${threshold} (${detail})` +
        (notice === 'still_firing' ? `; firing since ${t.next.since.toISOString()}.` : '.');
  return {
    text,
    attachments: [
      {
        color: notice === 'resolved' ? 'good' : 'danger',
        fields: [
          { title: 'alert', value: reading.key, short: true },
          { title: 'state', value: notice, short: true },
          { title: 'value', value, short: true },
          { title: 'threshold', value: threshold, short: true },
          { title: 'requests', value: String(reading.requests), short: true },
          { title: 'errors', value: String(reading.errors), short: true },
        ],
      },
    ],
    alert: {
      key: reading.key,
      kind: reading.kind,
      model: reading.model,
      state: notice,
      value: reading.value,
      threshold: reading.threshold,
      requests: reading.requests,
      errors: reading.errors,
      window_minutes: config.windowMinutes,
      since: t.next.since.toISOString(),
      at: new Date(now).toISOString(),
    },
  };
}

const UPDATED_COLUMNS = ['firing', 'since', 'notifiedAt', 'announced', 'value', 'threshold', 'updatedAt'] as const;

/** The webhook gets this long to answer. */
const WEBHOOK_TIMEOUT_MS = 10_000;

async function post(url: string, body: unknown): Promise<string | null> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.ok ? null : `webhook answered ${response.status}`;
  } catch (err) {
    return `webhook unreachable: ${errorText(err)}`;
  }
}

export interface AlertRun {
  readings: Reading[];
  sent: { key: string; notice: Notice }[];
  failed: { key: string; notice: Notice; error: string }[];
}

/**
 * One cron evaluation: reads the window with the same query as /api/stats, compares, notifies,
 * and stores what changed. A notice that could not be delivered leaves its state as it was, so
 * the next run tries again.
 */
export async function runAlerts(proxy: Config, now: number): Promise<AlertRun | null> {
  const config = proxy.alerts.get();
  if (!config) return null;
  const webhook = proxy.alertWebhookUrl;
  const db = proxy.db;
  const [window, stored] = await Promise.all([stats(db, { since: now - config.windowMinutes * 60_000, until: now }), db.select().from(alertState)]);
  const previous = new Map(stored.map((row) => [row.key, row]));
  const readings = readingsFrom(config, window);
  // A condition that fired but has no reading now (its model went quiet) has cleared.
  const seen = new Set(readings.map((r) => r.key));
  for (const row of stored) {
    if (!row.firing || seen.has(row.key)) continue;
    const [kind, ...model] = row.key.split(':') as [Kind, ...string[]];
    readings.push({
      key: row.key,
      kind,
      model: model.join(':') || null,
      value: null,
      threshold: row.threshold ?? 0,
      judged: true,
      crossed: false,
      requests: 0,
      errors: 0,
    });
  }

  const run: AlertRun = { readings, sent: [], failed: [] };
  const updates: (typeof alertState.$inferInsert)[] = [];
  for (const reading of readings) {
    if (!reading.judged) continue;
    const before = previous.get(reading.key);
    const t = transition(reading, before, now, config.cooldownMinutes * 60_000);
    let next = t.next;
    if (t.notice) {
      const error = webhook ? await post(webhook, alertMessage(t, config, now)) : 'ALERT_WEBHOOK_URL is not set';
      if (error) {
        run.failed.push({ key: reading.key, notice: t.notice, error });
        log('warn', 'alert_not_delivered', null, { alert: reading.key, notice: t.notice, error });
        // Undelivered: a resolution stays pending as it was; a firing stays unannounced (its start kept).
        if (t.notice === 'resolved') continue;
        next = { ...next, notifiedAt: before?.notifiedAt ?? null, announced: t.notice === 'still_firing' };
      } else {
        run.sent.push({ key: reading.key, notice: t.notice });
        log('info', 'alert_sent', null, { alert: reading.key, notice: t.notice, value: reading.value, threshold: reading.threshold });
      }
    }
    // Rows only for conditions that have fired: a quiet one needs no state.
    const changed = before
      ? before.firing !== next.firing ||
        before.announced !== next.announced ||
        before.value !== next.value ||
        before.notifiedAt?.getTime() !== next.notifiedAt?.getTime()
      : next.firing;
    if (changed) {
      updates.push({ ...next, updatedAt: new Date(now) });
    }
  }
  // Nine columns a row: ten rows a statement stay under D1's 100 bound parameters.
  for (let i = 0; i < updates.length; i += 10) {
    await db
      .insert(alertState)
      .values(updates.slice(i, i + 10))
      .onConflictDoUpdate({
        target: alertState.key,
        set: Object.fromEntries(UPDATED_COLUMNS.map((column) => [column, sql.raw(`excluded.${alertState[column].name}`)])),
      });
  }
  return run;
}
