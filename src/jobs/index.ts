import type { Config } from '../config';
import { errorText } from '../core/errors';
import { log } from '../core/log';
import { runAlerts } from './alerts';
import { RETENTION_CRON, runRetention } from './retention';

/** The cron triggers of wrangler.jsonc: the daily RETENTION_CRON deletes old traces; every other one evaluates ALERTS. */
export function runScheduled(config: Config, cron: string, scheduledTime: number): Promise<unknown> {
  const failed = (event: string) => (err: unknown) => log('error', event, null, { cron, error: errorText(err) });
  return cron === RETENTION_CRON
    ? runRetention(config, scheduledTime).catch(failed('trace_retention_failed'))
    : runAlerts(config, scheduledTime).catch(failed('alert_run_failed'));
}
