import * as v from 'valibot';
import { ProxyError } from '../core/errors';
import { globToRegExp } from '../core/glob';
import { isUnset, parseJsonSetting } from './settings';

/** Upstream protocols the proxy speaks. */
export const PROVIDERS = ['anthropic', 'openai', 'openai-responses', 'bedrock', 'vertex'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Providers that speak Anthropic's Messages API (on their own platform): block types pass through unchecked. */
const ANTHROPIC_FORMAT: ReadonlySet<ProviderName> = new Set(['anthropic', 'bedrock', 'vertex']);

export function speaksAnthropic(provider: ProviderName): boolean {
  return ANTHROPIC_FORMAT.has(provider);
}

/** `apiKey` value that forwards the client's own credential instead of a server-held key. */
export const CLIENT_KEY = 'client';

/** The two Bedrock APIs that serve Claude: InvokeModel, and the Anthropic Messages API. */
export const BEDROCK_APIS = ['invoke', 'messages'] as const;

/** Bedrock cross-region inference profiles (the prefix of a profile id), and `none` for the base model id. */
export const INFERENCE_PROFILES = ['global', 'us', 'us-gov', 'eu', 'apac', 'jp', 'au', 'ca', 'none'] as const;
export type InferenceProfile = (typeof INFERENCE_PROFILES)[number];

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
  /**
   * Anthropic: the host (the proxy appends /v1/messages). OpenAI: the base including /v1 (the
   * proxy appends /chat/completions or /responses). Bedrock and Vertex: optional, replaces the
   * platform's regional endpoint (VPC endpoints, gateways).
   */
  baseUrl: v.optional(v.pipe(v.string(), v.url(), v.regex(/^https?:\/\//i, 'must start with http:// or https://'))),
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
  /** openai-responses: keep responses at OpenAI (`store: true`); absent, nothing is kept there. */
  store: v.optional(v.boolean()),
  /** bedrock, vertex: the platform region (`us-east-1`; Vertex `us-east5` or `global`). */
  region: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'expected a region name such as us-east-1, us-east5 or global'))),
  /** bedrock: names of the secrets holding the AWS access key id, secret key and (optional) session token. */
  awsAccessKeyId: v.optional(v.pipe(v.string(), v.nonEmpty())),
  awsSecretAccessKey: v.optional(v.pipe(v.string(), v.nonEmpty())),
  awsSessionToken: v.optional(v.pipe(v.string(), v.nonEmpty())),
  /** bedrock: InvokeModel (`invoke`, the default) or the Anthropic Messages API Bedrock serves (`messages`). */
  bedrockApi: v.optional(v.picklist(BEDROCK_APIS)),
  /** bedrock: the cross-region inference profile a mapped model id gets; absent, the region's geography. */
  inferenceProfile: v.optional(v.picklist(INFERENCE_PROFILES)),
  /** vertex: the Google Cloud project. */
  project: v.optional(v.pipe(v.string(), v.regex(/^[^/\s]+$/, 'expected a project id'))),
  /** vertex: name of the secret holding a service-account key (its JSON). */
  serviceAccount: v.optional(v.pipe(v.string(), v.nonEmpty())),
};

/** Which fields each platform provider needs, and which belong to one provider only. */
const PLATFORM_ONLY: Record<string, ProviderName> = {
  awsAccessKeyId: 'bedrock',
  awsSecretAccessKey: 'bedrock',
  awsSessionToken: 'bedrock',
  bedrockApi: 'bedrock',
  inferenceProfile: 'bedrock',
  project: 'vertex',
  serviceAccount: 'vertex',
};

type TargetFields = v.InferOutput<v.StrictObjectSchema<typeof targetFields, undefined>>;

/** What is wrong with a target's combination of fields, by field: the schema checks each field alone. */
export function targetProblems(target: TargetFields): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const { provider } = target;
  const has = (field: keyof TargetFields) => target[field] !== undefined;
  for (const [field, owner] of Object.entries(PLATFORM_ONLY)) {
    if (owner !== provider && has(field as keyof TargetFields)) problems.push({ field, message: `only provider "${owner}" takes this field` });
  }
  if (provider !== 'bedrock' && provider !== 'vertex') {
    if (!has('baseUrl')) problems.push({ field: 'baseUrl', message: 'required field is missing' });
    if (has('region')) problems.push({ field: 'region', message: 'only providers "bedrock" and "vertex" take this field' });
  }
  if (provider === 'bedrock') {
    if (!has('region')) problems.push({ field: 'region', message: 'required field is missing (the AWS region, e.g. us-east-1)' });
    const keys = has('awsAccessKeyId') || has('awsSecretAccessKey');
    if (keys && has('apiKey'))
      problems.push({ field: 'apiKey', message: 'give either apiKey (a Bedrock API key) or awsAccessKeyId and awsSecretAccessKey, not both' });
    else if (!keys && !has('apiKey')) {
      problems.push({ field: 'awsAccessKeyId', message: 'required field is missing (or give apiKey, the secret holding a Bedrock API key)' });
    } else if (keys) {
      if (!has('awsAccessKeyId')) problems.push({ field: 'awsAccessKeyId', message: 'required field is missing (it goes with awsSecretAccessKey)' });
      if (!has('awsSecretAccessKey')) problems.push({ field: 'awsSecretAccessKey', message: 'required field is missing (it goes with awsAccessKeyId)' });
    }
    if (has('awsSessionToken') && !keys) problems.push({ field: 'awsSessionToken', message: 'goes with awsAccessKeyId and awsSecretAccessKey' });
  }
  if (provider === 'vertex') {
    if (!has('project')) problems.push({ field: 'project', message: 'required field is missing (the Google Cloud project id)' });
    if (!has('region')) problems.push({ field: 'region', message: 'required field is missing (e.g. us-east5, or global)' });
    if (!has('serviceAccount'))
      problems.push({ field: 'serviceAccount', message: 'required field is missing (the secret holding a service-account key JSON)' });
    if (has('apiKey')) problems.push({ field: 'apiKey', message: 'vertex authenticates with serviceAccount, not apiKey' });
  }
  if ((provider === 'bedrock' || provider === 'vertex') && target.apiKey === CLIENT_KEY) {
    problems.push({ field: 'apiKey', message: `"${CLIENT_KEY}" is not possible on ${provider}: the proxy holds the platform's credentials` });
  }
  return problems;
}

/** The cross-field rules as schema issues, each on its field, so messages name it (`ROUTES[0].region: ...`). */
function consistentTarget<T extends TargetFields>() {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const value = dataset.value as Record<string, unknown>;
    for (const { field, message } of targetProblems(dataset.value)) {
      addIssue({ message, path: [{ type: 'object', origin: 'value', input: value, key: field, value: value[field] }] });
    }
  });
}

const TargetObject = v.strictObject(targetFields);
const TargetSchema = v.pipe(TargetObject, consistentTarget<v.InferOutput<typeof TargetObject>>());

/** A target of a route that spreads requests: its share is weight / the sum of the weights. */
const WeightedTargetObject = v.strictObject({
  weight: v.optional(v.pipe(v.number(), v.gtValue(0, 'must be above 0'), v.finite())),
  ...targetFields,
});
const WeightedTargetSchema = v.pipe(WeightedTargetObject, consistentTarget<v.InferOutput<typeof WeightedTargetObject>>());

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
    if (route.provider === undefined) {
      addIssue({ message: 'required field is missing (or list `targets`)', path: at('provider') });
      return;
    }
    for (const { field, message } of targetProblems(route as TargetFields)) addIssue({ message, path: at(field) });
  }),
);

const RoutesSchema = v.array(RouteSchema);

export type RouteConfig = v.InferOutput<typeof RouteSchema>;
export type TargetConfig = v.InferOutput<typeof TargetSchema>;

/** A place a request can be sent: a route's target, one of its weighted targets, or a fallback. */
export interface Target extends Omit<TargetConfig, 'apiKey' | 'baseUrl'> {
  /** The configured base URL, or the platform's regional endpoint (bedrock, vertex). */
  baseUrl: string;
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

/** The platform's own endpoint for a region: Bedrock Runtime, or Vertex AI (`global` has no region in its host). */
export function platformBaseUrl(provider: ProviderName, region: string | undefined): string | undefined {
  if (!region) return undefined;
  if (provider === 'bedrock') return `https://bedrock-runtime.${region}.amazonaws.com`;
  if (provider === 'vertex') return region === 'global' ? 'https://aiplatform.googleapis.com' : `https://${region}-aiplatform.googleapis.com`;
  return undefined;
}

function compileTarget<T extends Omit<TargetConfig, 'provider' | 'baseUrl'> & Partial<Pick<TargetConfig, 'provider' | 'baseUrl'>>>(
  config: T,
  label: string,
): Omit<T, 'apiKey'> & Target {
  const { apiKey, ...rest } = config;
  // The schema guarantees a baseUrl, or a platform region to derive it from.
  const baseUrl = rest.baseUrl ?? platformBaseUrl(rest.provider as ProviderName, rest.region) ?? '';
  const target = { ...rest, baseUrl, label } as Omit<T, 'apiKey'> & Target;
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

/**
 * The names of the secrets a target spends (server-held credentials): its `apiKey` (every key of a
 * pool), its AWS keys, or its service account. Empty when it sends none or forwards the client's key.
 */
export function credentialNames(target: Target): string[] {
  return [...keyNames(target), ...platformCredentialNames(target)];
}

/** The secrets a platform target signs with: Bedrock's AWS keys, Vertex's service account. */
export function platformCredentialNames(target: Target): string[] {
  const names = [target.awsAccessKeyId, target.awsSecretAccessKey, target.awsSessionToken, target.serviceAccount];
  return names.filter((name): name is string => name !== undefined);
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
