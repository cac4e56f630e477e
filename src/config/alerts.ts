import * as v from 'valibot';
import { isUnset, parseJsonSetting } from './settings';

/** ALERTS: thresholds the cron compares the last window of traces with. */
const AlertsSchema = v.pipe(
  v.strictObject({
    /** Fraction of a model's requests that failed (0.1 = 10 %). */
    errorRate: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
    /** 95th-percentile request duration of a model, in milliseconds. */
    p95Ms: v.optional(v.pipe(v.number(), v.minValue(0))),
    /** US dollars per hour, all models, at the window's rate. */
    spendPerHour: v.optional(v.pipe(v.number(), v.minValue(0))),
    /** Minutes of traces each evaluation looks at. */
    windowMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1440)), 15),
    /** Minutes before the same alert is sent again while it keeps firing (or fires again). */
    cooldownMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 60),
    /** A model's error rate and p95 are judged only over at least this many requests. */
    minRequests: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 1),
  }),
  v.check((a) => a.errorRate !== undefined || a.p95Ms !== undefined || a.spendPerHour !== undefined, 'set at least one of errorRate, p95Ms, spendPerHour'),
);

export type AlertsConfig = v.InferOutput<typeof AlertsSchema>;

export function parseAlerts(raw: unknown): AlertsConfig | null {
  if (isUnset(raw)) return null;
  return parseJsonSetting('ALERTS', raw, AlertsSchema);
}
