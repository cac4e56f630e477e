import * as v from 'valibot';
import { ProxyError } from '../core/errors';
import { globToRegExp } from '../core/glob';
import { isUnset, parseJsonSetting } from './settings';

/** Upstream protocols the proxy speaks. */
export const PROVIDERS = ['anthropic', 'openai'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** `apiKey` value that forwards the client's own credential instead of a server-held key. */
export const CLIENT_KEY = 'client';

const name = v.pipe(v.string(), v.nonEmpty());

/** One secret name, "client", or a key pool: several secret names used in turn. */
const apiKeySchema = v.union([
  name,
  v.pipe(
    v.array(name),
    v.minLength(1, 'a key pool must name at least one secret'),
    v.check((names) => !names.includes(CLIENT_KEY), `"${CLIENT_KEY}" cannot be part of a key pool: use it alone`),
    v.check((names) => new Set(names).size === names.length, 'a key pool names each secret once'),
  ),
]);

/** Where a request can go: everything a route says except which requests it serves. */
const targetFields = {
  provider: v.picklist(PROVIDERS),
  /** Anthropic: the host (the proxy appends /v1/messages). OpenAI: the base including /v1. */
  baseUrl: v.pipe(v.string(), v.url(), v.regex(/^https?:\/\//i, 'must start with http:// or https://')),
  /** Target model; absent keeps the requested one. */
  model: v.optional(name),
  /** Name of the secret or var holding the upstream key, a list of them (a key pool), or "client". Absent: no upstream credential. */
  apiKey: v.optional(apiKeySchema),
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
};

const TargetSchema = v.strictObject(targetFields);

/** A target of a route that spreads requests: its share is weight / the sum of the weights. */
const WeightedTargetSchema = v.strictObject({
  weight: v.optional(v.pipe(v.number(), v.gtValue(0, 'must be above 0'), v.finite())),
  ...targetFields,
});

/** HTTP header names (RFC 9110 tokens). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** What a request must be for the route to serve it: every condition given must hold. */
const WhenSchema = v.pipe(
  v.strictObject({
    /** The request enables thinking (`enabled` or `adaptive`), or (false) does not. */
    thinking: v.optional(v.boolean()),
    /** The request's estimated input tokens (the count_tokens estimate) are at least this. */
    minInputTokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    /** The request carries a web search server tool, or (false) does not. */
    webSearch: v.optional(v.boolean()),
    /** The request comes from a Claude Code subagent (`x-claude-code-agent-id`), or (false) does not. */
    subagent: v.optional(v.boolean()),
    /** Header name → glob; every header must be present and match. */
    headers: v.optional(
      v.pipe(
        v.record(v.pipe(v.string(), v.regex(HEADER_NAME, 'is not a valid header name')), name),
        v.check((headers) => Object.keys(headers).length > 0, 'must name at least one header'),
      ),
    ),
    /** Names of proxy keys (PROXY_API_KEYS `name:key`): the client must use one of them. */
    keys: v.optional(v.pipe(v.array(name), v.minLength(1, 'must name at least one proxy key'))),
  }),
  v.check((when) => Object.keys(when).length > 0, 'must hold at least one condition: thinking, minInputTokens, webSearch, subagent, headers or keys'),
);

const RouteSchema = v.pipe(
  v.strictObject({
    /** What traces, stats and the viewer call the route; absent: `ROUTES[i]`. */
    name: v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty(), v.maxLength(100))),
    /** Glob on the requested model (`*` any run, `?` one character), case-insensitive. */
    match: name,
    when: v.optional(WhenSchema),
    /** Several targets sharing the route's requests by weight, instead of the target fields. */
    targets: v.optional(v.pipe(v.array(WeightedTargetSchema), v.minLength(1, 'must list at least one target'))),
    /** A route's one target, when it lists no `targets`. */
    ...v.partial(v.object(targetFields)).entries,
    /** Targets tried in order when the route's own fail before the answer starts. */
    fallbacks: v.optional(v.array(TargetSchema)),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const route = dataset.value as Record<string, unknown>;
    const at = (key: string): [v.IssuePathItem] => [{ type: 'object', origin: 'value', input: route, key, value: route[key] }];
    if (route.targets) {
      for (const field of Object.keys(targetFields)) {
        if (route[field] !== undefined) addIssue({ message: 'a route with `targets` sets this on each target', path: at(field) });
      }
      return;
    }
    for (const field of ['provider', 'baseUrl']) {
      if (route[field] === undefined) addIssue({ message: 'required field is missing (or list `targets`)', path: at(field) });
    }
  }),
);

const RoutesSchema = v.array(RouteSchema);

export type RouteConfig = v.InferOutput<typeof RouteSchema>;
export type TargetConfig = v.InferOutput<typeof TargetSchema>;

/** A place a request can be sent: a route's target, one of its weighted targets, or a fallback. */
export interface Target extends Omit<TargetConfig, 'apiKey'> {
  /** Where it is configured, for messages and attempts: `ROUTES[0]`, `ROUTES[0].targets[1]`, `ROUTES[0].fallbacks[1]`. */
  label: string;
  /** Who pays: "client" forwards the client's own credential; a list names the secrets of a key pool (one or more); absent, nobody. */
  apiKey?: typeof CLIENT_KEY | readonly string[];
}

/** One of the targets a route spreads its requests over. */
export interface WeightedTarget extends Target {
  weight: number;
}

/** A route's `when`, compiled. */
export interface Conditions {
  thinking?: boolean;
  minInputTokens?: number;
  webSearch?: boolean;
  subagent?: boolean;
  /** Lower-cased header names with their globs. */
  headers?: readonly { name: string; glob: string; pattern: RegExp }[];
  keys?: readonly string[];
}

export interface Route {
  /** The configured `name`, else the label. */
  name: string;
  /** `ROUTES[i]`. */
  label: string;
  /** Position in ROUTES. */
  index: number;
  match: string;
  pattern: RegExp;
  when: Conditions | null;
  /** One target, or several sharing the requests by weight. */
  targets: readonly WeightedTarget[];
  /** The sum of the targets' weights. */
  totalWeight: number;
  fallbacks: readonly Target[];
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

function compileTarget<T extends Omit<TargetConfig, 'provider' | 'baseUrl'> & Partial<Pick<TargetConfig, 'provider' | 'baseUrl'>>>(
  config: T,
  label: string,
): Omit<T, 'apiKey'> & Target {
  const { apiKey, ...rest } = config;
  const target = { ...rest, label } as Omit<T, 'apiKey'> & Target;
  if (apiKey !== undefined) target.apiKey = apiKey === CLIENT_KEY ? CLIENT_KEY : typeof apiKey === 'string' ? [apiKey] : apiKey;
  return target;
}

function compileWhen(when: RouteConfig['when']): Conditions | null {
  if (!when) return null;
  const { headers, ...rest } = when;
  const conditions: Conditions = { ...rest };
  if (headers) {
    conditions.headers = Object.entries(headers).map(([header, glob]) => ({ name: header.toLowerCase(), glob, pattern: globToRegExp(glob) }));
  }
  return conditions;
}

function compileRoute(config: RouteConfig, index: number): Route {
  const label = `ROUTES[${index}]`;
  const { name: routeName, match, when, targets, fallbacks, ...single } = config;
  const weighted: WeightedTarget[] = targets
    ? targets.map(({ weight, ...target }, i) => ({ ...compileTarget(target, `${label}.targets[${i}]`), weight: weight ?? 1 }))
    : [{ ...compileTarget(single as TargetConfig, label), weight: 1 }];
  return {
    name: routeName ?? label,
    label,
    index,
    match,
    pattern: globToRegExp(match),
    when: compileWhen(when),
    targets: weighted,
    totalWeight: weighted.reduce((sum, target) => sum + target.weight, 0),
    fallbacks: (fallbacks ?? []).map((fallback, i) => compileTarget(fallback, `${label}.fallbacks[${i}]`)),
  };
}

function compile(configs: RouteConfig[]): Route[] {
  const routes = configs.map(compileRoute);
  const named = new Map<string, Route>();
  for (const route of routes) {
    const clash = named.get(route.name.toLowerCase());
    if (clash) throw malformed(`${route.label}.name`, `"${route.name}" is already the name of ${clash.label}: route names must differ`);
    named.set(route.name.toLowerCase(), route);
  }
  return routes;
}

function malformed(field: string, problem: string): ProxyError {
  return new ProxyError('api_error', `ROUTES is malformed: ${field}: ${problem}; fix the ROUTES setting of the proxy`);
}

/** Every target of a route: its own (weighted) ones, then its fallbacks. */
export function targetsOf(route: Route): Target[] {
  return [...route.targets, ...route.fallbacks];
}

/** The secret names of a target's key pool; empty when it forwards the client's key or sends none. */
export function keyNames(target: Target): readonly string[] {
  return Array.isArray(target.apiKey) ? target.apiKey : [];
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
