import * as v from 'valibot';
import { ProxyError } from '../core/errors';
import { globToRegExp } from '../core/glob';
import { isUnset, parseJsonSetting } from './settings';

/** Upstream protocols the proxy speaks. */
export const PROVIDERS = ['anthropic', 'openai', 'openai-responses'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** `apiKey` value that forwards the client's own credential instead of a server-held key. */
export const CLIENT_KEY = 'client';

/** Where a request can go: everything a route says except which models it matches. */
const targetFields = {
  provider: v.picklist(PROVIDERS),
  /** Anthropic: the host (the proxy appends /v1/messages). OpenAI: the base including /v1 (the proxy appends /chat/completions or /responses). */
  baseUrl: v.pipe(v.string(), v.url(), v.regex(/^https?:\/\//i, 'must start with http:// or https://')),
  /** Target model; absent keeps the requested one. */
  model: v.optional(v.pipe(v.string(), v.nonEmpty())),
  /** Name of the secret or var holding the upstream key, or "client". Absent: no upstream credential. */
  apiKey: v.optional(v.pipe(v.string(), v.nonEmpty())),
  /** Cap on max_tokens sent upstream (openai): clients ask for more than many models can give. */
  maxTokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  /** openai: the target's dialect; absent, recognised from the baseUrl host (else "generic"). */
  compat: v.optional(v.picklist(['openai', 'openrouter', 'deepseek', 'gemini', 'groq', 'generic'])),
  /** openai: how thinking is requested, overriding the compat profile. */
  reasoning: v.optional(v.picklist(['reasoning_effort', 'openrouter', 'deepseek', 'none'])),
  /** openai: the output-cap field, overriding the compat profile. */
  maxTokensField: v.optional(v.picklist(['max_tokens', 'max_completion_tokens'])),
  /** Milliseconds to wait for the upstream's response headers (a non-streamed answer: its whole body). */
  timeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  /** Milliseconds a response body may stay silent before the proxy gives up on it. */
  idleTimeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  /** Retries on connection errors, 429 and 5xx before any byte reaches the client. */
  retries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10))),
  /** openai-responses: keep responses at OpenAI (`store: true`); absent, nothing is kept there. */
  store: v.optional(v.boolean()),
};

const TargetSchema = v.strictObject(targetFields);

const RouteSchema = v.strictObject({
  /** Glob on the requested model (`*` any run, `?` one character), case-insensitive. */
  match: v.pipe(v.string(), v.nonEmpty()),
  ...targetFields,
  /** Targets tried in order when this one fails before the answer starts. */
  fallbacks: v.optional(v.array(TargetSchema)),
});

const RoutesSchema = v.array(RouteSchema);

export type RouteConfig = v.InferOutput<typeof RouteSchema>;
export type TargetConfig = v.InferOutput<typeof TargetSchema>;

/** A place a request can be sent: a route itself or one of its fallbacks. */
export interface Target extends TargetConfig {
  /** Where it is configured, for messages: `ROUTES[0]`, `ROUTES[0].fallbacks[1]`. */
  label: string;
}

export interface Route extends Target {
  match: string;
  /** Position in ROUTES. */
  index: number;
  pattern: RegExp;
  fallbacks: Target[];
}

/** Defaults for the target settings a route leaves out. */
export const TARGET_DEFAULTS = {
  /** As long as the Anthropic SDK's own default request timeout. */
  timeoutMs: 600_000,
  /** Claude Code's own stream watchdog gives up after 300 s without an event. */
  idleTimeoutMs: 300_000,
  retries: 2,
} as const;

export const DEFAULT_ROUTES: RouteConfig[] = [{ match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: CLIENT_KEY }];

function compile(configs: RouteConfig[]): Route[] {
  return configs.map(({ fallbacks, ...config }, index) => ({
    ...config,
    label: `ROUTES[${index}]`,
    index,
    pattern: globToRegExp(config.match),
    fallbacks: (fallbacks ?? []).map((fallback, i) => ({ ...fallback, label: `ROUTES[${index}].fallbacks[${i}]` })),
  }));
}

/** The route's targets in the order they are tried. */
export function targetsOf(route: Route): Target[] {
  return [route, ...route.fallbacks];
}

/**
 * Parses the ROUTES setting: a JSON array (a var in wrangler.jsonc) or a string holding it
 * (.dev.vars, secrets, --var). Unset or blank means the default passthrough to Anthropic.
 */
export function parseRoutes(raw: unknown): Route[] {
  if (isUnset(raw)) return compile(DEFAULT_ROUTES);
  const routes = parseJsonSetting('ROUTES', raw, RoutesSchema);
  if (routes.length === 0) {
    throw new ProxyError('api_error', 'ROUTES is an empty array: no model can be routed; remove it for the default passthrough or add a route');
  }
  return compile(routes);
}
