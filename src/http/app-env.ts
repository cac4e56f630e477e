import type { TraceContext } from '../tracing/trace';

/** Settings read from vars and secrets; route apiKey names are looked up here too. */
export interface ProxySettings {
  /** JSON array of routes, or a string holding it. */
  ROUTES?: unknown;
  /** Comma-separated client keys for routes that spend a server-held key. */
  PROXY_API_KEYS?: string;
  [name: string]: unknown;
}

export type Bindings = Env & ProxySettings;

export interface AppEnv {
  Bindings: Bindings;
  Variables: { trace: TraceContext };
}
