/**
 * The Worker's environment as the runtime hands it over: bindings from wrangler.jsonc (typed by
 * `wrangler types` in worker-configuration.d.ts) and vars and secrets by name. Only `loadConfig`
 * reads it; everything else receives the typed `Config`.
 */
export interface Bindings extends Env {
  ROUTES?: unknown;
  PROXY_API_KEYS?: string;
  MAX_REQUEST_BYTES?: string | number;
  RATE_LIMITER?: RateLimit;
  ADMIN_TOKEN?: string;
  TRACING?: string;
  TRACE_BODIES?: string;
  TRACE_SAMPLE_RATE?: string | number;
  TRACE_RETENTION_DAYS?: string | number;
  BODIES_BUCKET?: R2Bucket;
  R2_BODY_THRESHOLD_BYTES?: string | number;
  KEY_BUDGETS?: unknown;
  ALERTS?: unknown;
  ALERT_WEBHOOK_URL?: string;
  LOG_REQUESTS?: string;
  /** A Cloudflare Queues producer: finished requests' writes go through it (src/jobs/trace-queue.ts). */
  TRACE_QUEUE?: Queue<string>;
  /** Secrets that routes name in `apiKey`, by whatever name the owner chose. */
  [name: string]: unknown;
}
