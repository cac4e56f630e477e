import { drizzle } from 'drizzle-orm/d1';
import * as v from 'valibot';
import { type AlertsConfig, parseAlerts } from './alerts';
import { type Budgets, parseBudgets } from './budgets';
import type { Bindings } from './env';
import { type ProxyKeys, parseProxyKeys } from './proxy-keys';
import { credentialNames, parseRoutes, type Route, targetsOf } from './routes';
import { Setting } from './settings';

export type { Bindings } from './env';

/** An R2 bucket for bodies too large to keep in D1 rows. */
export interface BodyStore {
  bucket: R2Bucket;
  thresholdBytes: number;
}

/** What to keep of each request, from the TRACE_* settings. */
export interface TracePolicy {
  /** TRACING=off serves without writing traces (spend is still counted). */
  enabled: boolean;
  /** full: every body; errors: bodies of failed requests only; none: no bodies. */
  bodies: 'full' | 'errors' | 'none';
  /** Fraction of successful requests traced (failed ones always are). */
  sampleRate: number;
  /** Whether each request writes its one `request` log line (LOG_REQUESTS, default on). */
  logRequests: boolean;
  /** Where bodies over `thresholdBytes` go, when an R2 bucket is bound. */
  store: BodyStore | null;
  /** Days traces are kept; null keeps them. */
  retentionDays: number | null;
  /** TRACE_QUEUE: finished writes are sent here and written in batches by the queue consumer; null writes each directly. */
  queue: Queue<string> | null;
}

/** Everything the proxy reads from its environment, parsed once per isolate. */
export interface Config {
  routes: Setting<readonly Route[]>;
  proxyKeys: ProxyKeys;
  budgets: Setting<Budgets | null>;
  alerts: Setting<AlertsConfig | null>;
  alertWebhookUrl: string | null;
  /** The /api and /ui token; null leaves both closed (`adminClosed` says why). */
  adminToken: string | null;
  /** Why /api and /ui are closed, when they are. */
  adminClosed: string | null;
  /** ALLOW_ANONYMOUS=true: without PROXY_API_KEYS, serve clients on any host, not only on loopback. */
  allowAnonymous: boolean;
  /** Largest request body accepted, in bytes. */
  maxRequestBytes: number;
  trace: TracePolicy;
  rateLimiter: RateLimit | null;
  /** The deployed Worker version (CF_VERSION_METADATA), for /health. */
  versionId: string | null;
  /** Every secret value this configuration holds: never stored, never echoed. */
  secrets: readonly string[];
  /** The value of a secret or var a route names in `apiKey`; null when it is not set. */
  secret(name: string): string | null;
  /** Scalar settings that were malformed and replaced by their default: /health reports them. */
  ignored: readonly string[];
  d1: D1Database;
  /** The one Drizzle instance over `d1`. */
  db: Database;
}

/** Drizzle over the proxy's D1 database. */
export type Database = ReturnType<typeof drizzle>;

/**
 * The default for MAX_REQUEST_BYTES: what an isolate (128 MB) can carry. A request holds about
 * 3.4 times its size at its peak (its bytes, its parsed form, the copy on its way upstream;
 * `node bench/memory.mjs`), so two 16 MiB requests at once fit beside the runtime's own memory.
 * Anthropic's own limit is 32 MiB: an owner who needs that raises it, one such request at a time.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** Bodies above this go to R2 when a bucket is bound: a Claude Code request (~80 KB and up) always does. */
export const DEFAULT_R2_THRESHOLD_BYTES = 32 * 1024;

/** A number, from a jsonc var or from a string (.dev.vars, secrets). */
const numeric = v.union([v.number(), v.pipe(v.string(), v.trim(), v.nonEmpty(), v.transform(Number))]);
const positiveInteger = v.pipe(numeric, v.integer('expected a whole number'), v.minValue(1));
const switchValue = v.picklist(['on', 'off']);

/**
 * The scalar variables: one schema each, and what a valid value is (for the report of a bad one,
 * which must not quote the value: it may be a secret). JSON settings (ROUTES, KEY_BUDGETS,
 * ALERTS) have their own schemas and keep their errors for the requests that need them.
 */
const SCALARS = {
  MAX_REQUEST_BYTES: [positiveInteger, 'a positive whole number of bytes'],
  TRACING: [switchValue, '"on" or "off"'],
  LOG_REQUESTS: [switchValue, '"on" or "off"'],
  TRACE_BODIES: [v.picklist(['full', 'errors', 'none']), 'one of full, errors, none'],
  TRACE_SAMPLE_RATE: [v.pipe(numeric, v.minValue(0), v.maxValue(1)), 'a number from 0 to 1'],
  // At least a day: the cron runs daily, and a turn may build on a trace up to 6 hours old.
  TRACE_RETENTION_DAYS: [v.pipe(numeric, v.minValue(1)), 'a number of days, at least 1'],
  R2_BODY_THRESHOLD_BYTES: [positiveInteger, 'a positive whole number of bytes'],
  ADMIN_TOKEN: [v.string(), 'a string'],
  ALERT_WEBHOOK_URL: [v.pipe(v.string(), v.url()), 'a URL'],
  PROXY_API_KEYS: [v.string(), 'a comma-separated string'],
  ALLOW_ANONYMOUS: [v.picklist(['true', 'false']), '"true" or "false"'],
} satisfies Record<string, [v.GenericSchema, string]>;

type Scalars = { [K in keyof typeof SCALARS]?: v.InferOutput<(typeof SCALARS)[K][0]> };

function readScalars(env: Bindings, ignored: string[]): Scalars {
  const out: Record<string, unknown> = {};
  for (const [name, [schema, expected]] of Object.entries(SCALARS)) {
    const raw = env[name];
    if (raw === undefined || raw === null || raw === '') continue;
    const result = v.safeParse(schema, raw);
    if (result.success) out[name] = result.output;
    else ignored.push(`${name} is not ${expected}: its default applies`);
  }
  return out as Scalars;
}

function parseConfig(env: Bindings): Config {
  const ignored: string[] = [];
  const scalars = readScalars(env, ignored);
  const routes = Setting.parse('ROUTES', () => parseRoutes(env.ROUTES));
  const proxyKeys = parseProxyKeys(scalars.PROXY_API_KEYS);
  const secret = (name: string) => {
    const value = env[name];
    return typeof value === 'string' && value !== '' ? value : null;
  };
  // Secrets are known up front: every credential a route names (keys, AWS keys, service
  // accounts and the private key inside), every plain proxy key, the admin token.
  const secrets = new Set<string>(proxyKeys.plain);
  if (scalars.ADMIN_TOKEN) secrets.add(scalars.ADMIN_TOKEN);
  for (const route of routes.error ? [] : routes.get()) {
    for (const target of targetsOf(route)) {
      // Every key of a pool (not only the one a request happens to use), and the platforms' credentials.
      for (const name of credentialNames(target)) {
        const value = secret(name);
        if (value) for (const part of secretParts(value)) secrets.add(part);
      }
    }
  }
  const bucket = env.BODIES_BUCKET ?? null;
  const adminToken = scalars.ADMIN_TOKEN ?? null;
  const adminClosed = adminTokenProblem(adminToken);
  const metadata = env.CF_VERSION_METADATA as { id?: string } | undefined;
  return {
    routes,
    proxyKeys,
    budgets: Setting.parse('KEY_BUDGETS', () => parseBudgets(env.KEY_BUDGETS)),
    alerts: Setting.parse('ALERTS', () => parseAlerts(env.ALERTS)),
    alertWebhookUrl: scalars.ALERT_WEBHOOK_URL ?? null,
    adminToken: adminClosed ? null : adminToken,
    adminClosed,
    allowAnonymous: scalars.ALLOW_ANONYMOUS === 'true',
    maxRequestBytes: scalars.MAX_REQUEST_BYTES ?? DEFAULT_MAX_REQUEST_BYTES,
    trace: {
      enabled: scalars.TRACING !== 'off',
      bodies: scalars.TRACE_BODIES ?? 'full',
      sampleRate: scalars.TRACE_SAMPLE_RATE ?? 1,
      logRequests: scalars.LOG_REQUESTS !== 'off',
      store: bucket ? { bucket, thresholdBytes: scalars.R2_BODY_THRESHOLD_BYTES ?? DEFAULT_R2_THRESHOLD_BYTES } : null,
      retentionDays: scalars.TRACE_RETENTION_DAYS ?? null,
      queue: env.TRACE_QUEUE ?? null,
    },
    rateLimiter: env.RATE_LIMITER ?? null,
    versionId: metadata?.id ?? null,
    secrets: [...secrets],
    secret,
    ignored,
    d1: env.DB,
    db: drizzle(env.DB),
  };
}

/** Shorter admin tokens are refused: the token guards every body the proxy ever stored. */
export const MIN_ADMIN_TOKEN_LENGTH = 24;

/** Why an ADMIN_TOKEN cannot open /api and /ui, or null when it can. */
function adminTokenProblem(token: string | null): string | null {
  if (!token) return 'set the ADMIN_TOKEN secret to open it';
  if (token.length < MIN_ADMIN_TOKEN_LENGTH) {
    return `ADMIN_TOKEN is ${token.length} characters long, and at least ${MIN_ADMIN_TOKEN_LENGTH} are needed: set a longer one (for example \`openssl rand -base64 32\`)`;
  }
  // A bearer token's characters (RFC 6750): anything else cannot be sent as `Authorization: Bearer`.
  if (!/^[A-Za-z0-9._~+/-]+=*$/.test(token)) return 'ADMIN_TOKEN may hold only letters, digits and . _ ~ + / - (then = padding): set one that does';
  return null;
}

/**
 * A secret's value and, for a JSON secret (a service-account key), the secret strings inside it:
 * the private key as text and as JSON escapes it (how it would appear inside a stored body), each
 * line of its base64, and the key id.
 */
export function secretParts(value: string): string[] {
  const parts = [value];
  if (!value.trimStart().startsWith('{')) return parts;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return parts;
  }
  if (!parsed || typeof parsed !== 'object') return parts;
  const { private_key: key, private_key_id: keyId } = parsed as { private_key?: unknown; private_key_id?: unknown };
  if (typeof keyId === 'string') parts.push(keyId);
  if (typeof key === 'string') {
    parts.push(key, JSON.stringify(key).slice(1, -1));
    for (const line of key.split(/\r?\n/)) if (line && !line.startsWith('-----')) parts.push(line);
  }
  return parts;
}

const configs = new WeakMap<object, Config>();

/**
 * The configuration for an environment, parsed on first use and kept for the isolate's life (the
 * runtime hands every request the same env object).
 */
export function loadConfig(env: Bindings): Config {
  const cached = configs.get(env);
  if (cached) return cached;
  const config = parseConfig(env);
  configs.set(env, config);
  return config;
}

/** Hono's environment for the HTTP surfaces: the raw bindings, and the config parsed from them. */
export interface SurfaceEnv {
  Bindings: Bindings;
  Variables: { config: Config };
}
