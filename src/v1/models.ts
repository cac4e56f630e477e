import type { Context } from 'hono';
import { CLIENT_KEY, type Route, TARGET_DEFAULTS, type Target } from '../config/routes';
import { ProxyError } from '../core/errors';
import type { ClientIdentity } from '../protocol/client';
import { modelListRequest } from '../providers/anthropic';
import { platformModels } from '../providers/platform-models';
import { requestFacts } from '../routing/facts';
import { matchRoute } from '../routing/match';
import { upstreamAuth } from '../upstream/auth';
import { sendOnce } from '../upstream/dispatch';
import type { V1Env } from './tracing';

export interface ModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
}

/** Claude Code keeps only ids that look like Claude's (wire-spec §4). */
const CLAUDE_ID = /^(claude|anthropic)/i;
const LISTED_AT = '2025-01-01T00:00:00Z';
/** Claude Code waits 3 s for the list: an upstream's list is given this long (or the route's timeout, if shorter). */
const MODEL_LIST_TIMEOUT_MS = 5_000;

/**
 * GET /v1/models: the Claude model ids this configuration serves, each described by the route a
 * plain request for it takes (this client's key and headers, no thinking, a short prompt) and
 * that route's targets. A route with a fixed `match` lists that id; a glob whose targets name a
 * model lists an id made from the glob and the model (`claude-*` + gpt-5 → `claude-gpt-5`; with
 * several target models, the route's name), kept only if a plain request for it takes this route;
 * an Anthropic target that keeps the requested model lists the upstream's own models that do.
 */
export async function listModels(c: Context<V1Env>): Promise<Response> {
  const config = c.get('config');
  const routes = config.routes.get();
  const client = c.get('client');
  const routeOf = plainRouting(c, routes, client);
  const seen = new Set<string>();
  const models: ModelInfo[] = [];
  const add = (model: ModelInfo) => {
    const key = model.id.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    models.push(model);
  };
  for (const route of routes) {
    for (const model of await modelsOf(route, routeOf, client, c)) add(model);
  }
  return c.json(paginate(models, c.req.query('limit'), c.req.query('after_id'), c.req.query('before_id')));
}

export async function getModel(c: Context<V1Env>): Promise<Response> {
  const id = c.req.param('id') ?? '';
  const config = c.get('config');
  const route = plainRouting(c, config.routes.get(), c.get('client'))(id);
  if (!route) throw new ProxyError('not_found_error', `model: ${id} is not served by this proxy (no route in ROUTES matches it)`);
  return c.json({ type: 'model', id, display_name: displayName(route, id), created_at: LISTED_AT } satisfies ModelInfo);
}

type RouteOf = (model: string) => Route | undefined;

/** The route a plain request for a model would take, from this client (its proxy key, its headers). */
function plainRouting(c: Context<V1Env>, routes: readonly Route[], client: ClientIdentity): RouteOf {
  return (model) => matchRoute(routes, requestFacts({ model, max_tokens: 1, messages: [] }, c.req.raw.headers, client.proxyKeyName, null))?.route;
}

async function modelsOf(route: Route, routeOf: RouteOf, client: ClientIdentity, c: Context<V1Env>): Promise<ModelInfo[]> {
  const wildcard = /[*?]/.test(route.match);
  if (!wildcard) return [{ type: 'model', id: route.match, display_name: displayName(routeOf(route.match) ?? route, route.match), created_at: LISTED_AT }];
  // Bedrock and Vertex serve Claude under their own ids: list the Claude ids that reach them.
  const platform = route.targets.filter((target) => target.provider === 'bedrock' || target.provider === 'vertex');
  if (platform.length > 0) {
    return platform
      .flatMap((target) =>
        platformModels(target).map(({ id, platformId }) => ({ id, display_name: `${platformId} (${target.provider} ${target.region ?? ''})` })),
      )
      .filter((model) => routeOf(model.id) === route)
      .map((model) => ({ type: 'model' as const, ...model, created_at: LISTED_AT }));
  }
  const models = [...new Set(route.targets.map((target) => target.model))];
  if (models.every((model) => model !== undefined)) {
    const named = route.name !== route.label ? route.name : undefined;
    const fill = (models.length === 1 ? models[0]! : (named ?? models[0]!)).replace(/[^A-Za-z0-9._:-]/g, '-');
    let id = route.match.replace(/\*/g, fill).replace(/\?/g, 'x');
    if (!CLAUDE_ID.test(id)) id = `claude-${id}`;
    return routeOf(id) === route ? [{ type: 'model', id, display_name: displayName(route, id), created_at: LISTED_AT }] : [];
  }
  const passthrough = route.targets.filter((target) => target.provider === 'anthropic' && !target.model);
  const lists = await Promise.all(passthrough.map((target) => upstreamModels(target, client, c)));
  return lists.flat().filter((model) => routeOf(model.id) === route);
}

/** The targets a route sends to: `model (provider)`, with each one's share when there are several; never where (hosts are the owner's business). */
function displayName(route: Route, id: string): string {
  const describe = (target: Target) => `${target.model ?? id} (${target.provider})`;
  const targets =
    route.targets.length === 1
      ? describe(route.targets[0]!)
      : route.targets.map((target) => `${describe(target)} ${target.weight}/${route.totalWeight}`).join(', ');
  return route.name === route.label ? targets : `${route.name}: ${targets}`;
}

/** The upstream's list, for a passthrough target, through the same upstream call as any request; a failure only leaves these models out. */
async function upstreamModels(target: Target, client: ClientIdentity, c: Context<V1Env>): Promise<ModelInfo[]> {
  const config = c.get('config');
  try {
    const auth = upstreamAuth(target, client, config.secret);
    if (target.apiKey === CLIENT_KEY && Object.keys(auth.headers).length === 0) return [];
    const { url, init } = modelListRequest(target.baseUrl, c.req.raw.headers, auth);
    const timeoutMs = Math.min(target.timeoutMs ?? TARGET_DEFAULTS.timeoutMs, MODEL_LIST_TIMEOUT_MS);
    const outcome = await sendOnce(url, init, timeoutMs, c.req.raw.signal);
    if (outcome.kind !== 'response') return [];
    const { response, clearDeadline } = outcome;
    try {
      if (!response.ok) return [];
      const body = (await response.json()) as { data?: ModelInfo[] };
      return (body.data ?? []).filter((model) => typeof model?.id === 'string');
    } finally {
      clearDeadline();
    }
  } catch {
    return [];
  }
}

function paginate(models: ModelInfo[], limitParam?: string, afterId?: string, beforeId?: string) {
  let list = models;
  if (afterId) list = list.slice(list.findIndex((model) => model.id === afterId) + 1);
  if (beforeId) {
    const end = list.findIndex((model) => model.id === beforeId);
    if (end >= 0) list = list.slice(0, end);
  }
  const limit = Math.min(Math.max(Number(limitParam) || 20, 1), 1000);
  const page = list.slice(0, limit);
  return { data: page, has_more: list.length > page.length, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null };
}
