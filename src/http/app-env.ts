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
  [name: string]: unknown;
}

export type Bindings = Env & ProxySettings;

/** Anthropic's own limit for a Messages request: the default for MAX_REQUEST_BYTES. */
export const DEFAULT_MAX_REQUEST_BYTES = 32 * 1024 * 1024;

export interface AppEnv {
  Bindings: Bindings;
  Variables: { trace: TraceContext };
}
