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

/** Where a request can go: everything a route says except which models it matches. */
const targetFields = {
  provider: v.picklist(PROVIDERS),
  /**
   * Anthropic: the host (the proxy appends /v1/messages). OpenAI: the base including /v1 (the
   * proxy appends /chat/completions or /responses). Bedrock and Vertex: optional, replaces the
   * platform's regional endpoint (VPC endpoints, gateways).
   */
  baseUrl: v.optional(v.pipe(v.string(), v.url(), v.regex(/^https?:\/\//i, 'must start with http:// or https://'))),
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
  if (provider === 'anthropic' || provider === 'openai') {
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

const RouteObject = v.strictObject({
  /** Glob on the requested model (`*` any run, `?` one character), case-insensitive. */
  match: v.pipe(v.string(), v.nonEmpty()),
  ...targetFields,
  /** Targets tried in order when this one fails before the answer starts. */
  fallbacks: v.optional(v.array(TargetSchema)),
});
const RouteSchema = v.pipe(RouteObject, consistentTarget<v.InferOutput<typeof RouteObject>>());

const RoutesSchema = v.array(RouteSchema);

export type RouteConfig = v.InferOutput<typeof RouteSchema>;
export type TargetConfig = v.InferOutput<typeof TargetSchema>;

/** A place a request can be sent: a route itself or one of its fallbacks. */
export interface Target extends Omit<TargetConfig, 'baseUrl'> {
  /** The configured base URL, or the platform's regional endpoint (bedrock, vertex). */
  baseUrl: string;
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

/** The platform's own endpoint for a region: Bedrock Runtime, or Vertex AI (`global` has no region in its host). */
export function platformBaseUrl(provider: ProviderName, region: string | undefined): string | undefined {
  if (!region) return undefined;
  if (provider === 'bedrock') return `https://bedrock-runtime.${region}.amazonaws.com`;
  if (provider === 'vertex') return region === 'global' ? 'https://aiplatform.googleapis.com' : `https://${region}-aiplatform.googleapis.com`;
  return undefined;
}

function withBaseUrl<T extends TargetConfig>(config: T): Omit<T, 'baseUrl'> & { baseUrl: string } {
  // The schema guarantees a baseUrl, or a platform region to derive it from.
  return { ...config, baseUrl: config.baseUrl ?? platformBaseUrl(config.provider, config.region) ?? '' };
}

function compile(configs: RouteConfig[]): Route[] {
  return configs.map(({ fallbacks, ...config }, index) => ({
    ...withBaseUrl(config),
    label: `ROUTES[${index}]`,
    index,
    pattern: globToRegExp(config.match),
    fallbacks: (fallbacks ?? []).map((fallback, i) => ({ ...withBaseUrl(fallback), label: `ROUTES[${index}].fallbacks[${i}]` })),
  }));
}

/**
 * The names of the secrets a target spends (server-held credentials): its `apiKey`, its AWS keys,
 * or its service account. Empty when it sends none or forwards the client's own key.
 */
export function credentialNames(target: TargetConfig): string[] {
  if (target.apiKey === CLIENT_KEY) return [];
  const names = [target.apiKey, target.awsAccessKeyId, target.awsSecretAccessKey, target.awsSessionToken, target.serviceAccount];
  return names.filter((name): name is string => name !== undefined);
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
