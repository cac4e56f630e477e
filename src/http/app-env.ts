import type { TraceContext } from '../tracing/trace';

/** Settings read from vars and secrets; route apiKey names are looked up here too. */
export interface ProxySettings {
  /** JSON array of routes, or a string holding it. */
  ROUTES?: unknown;
  /** Comma-separated client keys for routes that spend a server-held key. */
  PROXY_API_KEYS?: string;
  /** Largest request body accepted, in bytes. */
  MAX_REQUEST_BYTES?: string | number;
  /** Optional Workers Rate Limiting binding: per-key limits when configured in wrangler.jsonc. */
  RATE_LIMITER?: RateLimit;
  /** Bearer token for /api and the /ui sign-in; unset, both are closed. */
  ADMIN_TOKEN?: string;
  /** `off` serves without writing traces. */
  TRACING?: string;
  /** full (default) | errors | none: which traces keep their bodies. */
  TRACE_BODIES?: string;
  /** 0–1, default 1: the share of successful requests traced (failed ones always are). */
  TRACE_SAMPLE_RATE?: string | number;
  /** Days traces are kept; the daily cron deletes older ones. Unset: kept forever. */
  TRACE_RETENTION_DAYS?: string | number;
  /** Optional R2 bucket for large bodies. */
  BODIES_BUCKET?: R2Bucket;
  /** Bodies larger than this go to BODIES_BUCKET (default 32768). */
  R2_BODY_THRESHOLD_BYTES?: string | number;
  /** Per-key spending caps: JSON keyed by proxy key name, `{daily, monthly}` in US dollars. */
  KEY_BUDGETS?: unknown;
  /** Alert thresholds checked by the cron: JSON `{errorRate, p95Ms, spendPerHour, ...}`. */
  ALERTS?: unknown;
  /** Where alerts are POSTed (a Slack-compatible incoming webhook). */
  ALERT_WEBHOOK_URL?: string;
  /** `off`: no `request` log line per request. */
  LOG_REQUESTS?: string;
  [name: string]: unknown;
}

export type Bindings = Env & ProxySettings;

/** Anthropic's own limit for a Messages request: the default for MAX_REQUEST_BYTES. */
export const DEFAULT_MAX_REQUEST_BYTES = 32 * 1024 * 1024;

export interface AppEnv {
  Bindings: Bindings;
  Variables: { trace: TraceContext };
}
