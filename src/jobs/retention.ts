import type { Config } from '../config';
import { log } from '../core/log';
import { pruneAdminAccess } from '../storage/admin-access';
import { deleteExpiredTraces, type RetentionResult } from '../storage/retention';

/** The cron trigger of wrangler.jsonc that runs retention (daily, at a quiet minute). */
export const RETENTION_CRON = '17 3 * * *';

/** The daily job: clears expired viewer sign-ins and old failure counts, and applies TRACE_RETENTION_DAYS, if set. */
export async function runRetention(config: Config, now: number): Promise<RetentionResult | null> {
  await pruneAdminAccess(config.db, now);
  const days = config.trace.retentionDays;
  if (days === null) return null;
  const result = await deleteExpiredTraces(config.d1, days, now, config.trace.store?.bucket ?? undefined, config.trace.store);
  log('info', 'trace_retention', null, { days, ...result });
  return result;
}
