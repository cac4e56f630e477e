import journal from '../drizzle/meta/_journal.json';
import { version } from '../package.json';
import type { Config } from './config';

/**
 * GET /health: is this proxy able to serve and to record? One D1 query (the migrations table,
 * which also says whether the schema is current), plus the settings the proxy needs, already
 * parsed and memoised. Nothing secret and no route target is in it: it is public, for pollers.
 */
export interface Health {
  /** ok | degraded (serving, but something needs the owner) | error (requests fail) */
  status: 'ok' | 'degraded' | 'error';
  version: string;
  /** The deployed Worker version, when the CF_VERSION_METADATA binding is there. */
  version_id?: string;
  d1: { ok: boolean; latency_ms: number | null; migrations_applied: number | null; migrations_expected: number };
  /** Routes configured in ROUTES; null when ROUTES cannot be read. */
  routes: number | null;
  /** What is wrong, when status is not ok. */
  reason?: string;
}

/** Migrations this build expects: drizzle/ as bundled. */
const MIGRATIONS_EXPECTED = journal.entries.length;

/** D1 gets this long to answer before the check calls it down. */
export const HEALTH_D1_TIMEOUT_MS = 5_000;

async function checkD1(d1: D1Database): Promise<{ latencyMs: number; applied: number | null; error?: string }> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_D1_TIMEOUT_MS} ms`)), HEALTH_D1_TIMEOUT_MS);
  });
  try {
    const row = await Promise.race([d1.prepare('SELECT COUNT(*) AS applied FROM d1_migrations').first<{ applied: number }>(), timeout]);
    return { latencyMs: Date.now() - started, applied: row ? row.applied : 0 };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // D1 answered: the database simply has never been migrated.
    if (/no such table: d1_migrations/i.test(message)) return { latencyMs: Date.now() - started, applied: 0 };
    return { latencyMs: Date.now() - started, applied: null, error: message.slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

type Problem = { severity: 'error' | 'degraded'; reason: string };

/**
 * Each setting that cannot be read says why and how bad: `error` when requests fail, `degraded`
 * when only something around them does. The validation text is left out: it can quote a route's
 * URL, and this report is public. Requests carry it in full.
 */
function checkSettings(config: Config, problems: Problem[]): number | null {
  if (config.routes.error) problems.push({ severity: 'error', reason: 'ROUTES is invalid: every request to /v1/messages fails with a 500 naming the field' });
  if (config.budgets.error)
    problems.push({ severity: 'error', reason: 'KEY_BUDGETS is invalid: requests with a named proxy key fail with a 500 naming the field' });
  if (config.alerts.error) problems.push({ severity: 'degraded', reason: 'ALERTS is invalid: no alert is evaluated' });
  for (const ignored of config.ignored) problems.push({ severity: 'degraded', reason: ignored });
  if (config.allowAnonymous && !config.proxyKeys.configured) {
    problems.push({
      severity: 'degraded',
      reason: 'open to anonymous use (ALLOW_ANONYMOUS=true, no PROXY_API_KEYS): anyone can use this proxy and fill its D1',
    });
  }
  return config.routes.error ? null : config.routes.get().length;
}

export async function checkHealth(config: Config): Promise<Health> {
  const problems: Problem[] = [];
  const routes = checkSettings(config, problems);
  const d1 = await checkD1(config.d1);
  if (d1.error) problems.unshift({ severity: 'error', reason: `D1 query failed: ${d1.error}` });
  else if (d1.applied! < MIGRATIONS_EXPECTED) {
    problems.push({
      severity: 'degraded',
      reason: `${MIGRATIONS_EXPECTED - d1.applied!} D1 migration(s) not applied: traces may fail to write; run npm run db:migrate:remote`,
    });
  }
  const status = problems.some((problem) => problem.severity === 'error') ? 'error' : problems.length > 0 ? 'degraded' : 'ok';
  return {
    status,
    version,
    ...(config.versionId ? { version_id: config.versionId } : {}),
    d1: { ok: !d1.error, latency_ms: d1.latencyMs, migrations_applied: d1.applied, migrations_expected: MIGRATIONS_EXPECTED },
    routes,
    ...(problems.length > 0 ? { reason: problems.map((p) => p.reason).join('; ') } : {}),
  };
}
