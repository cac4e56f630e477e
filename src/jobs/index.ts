import type { Config } from '../config';
import { errorText } from '../core/errors';
import { log } from '../core/log';
import { convertLegacyTraces } from '../storage/convert';
import { runAlerts } from './alerts';
import { RETENTION_CRON, runRetention } from './retention';

/**
 * The cron triggers of wrangler.jsonc: the daily RETENTION_CRON deletes old traces; every other
 * one evaluates ALERTS and converts a batch of traces stored before body format 1.
 */
export function runScheduled(config: Config, cron: string, scheduledTime: number): Promise<unknown> {
  const failed = (event: string) => (err: unknown) => log('error', event, null, { cron, error: errorText(err) });
  if (cron === RETENTION_CRON) return runRetention(config, scheduledTime).catch(failed('trace_retention_failed'));
  return Promise.all([
    runAlerts(config, scheduledTime).catch(failed('alert_run_failed')),
    runConversion(config, scheduledTime).catch(failed('trace_conversion_failed')),
  ]);
}

async function runConversion(config: Config, now: number): Promise<void> {
  const result = await convertLegacyTraces(config, now);
  if (result.converted + result.keptWhole > 0) log('info', 'trace_conversion', null, { ...result });
}
