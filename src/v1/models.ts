import type { Context } from 'hono';
import { CLIENT_KEY, type Route, TARGET_DEFAULTS } from '../config/routes';
import { ProxyError } from '../core/errors';
import { modelListRequest } from '../providers/anthropic';
import { platformModels } from '../providers/platform-models';
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
 * GET /v1/models: the Claude model ids this configuration serves. A route with a fixed `match`
 * lists that id; a glob with a target model lists an id made from the glob and the target
 * (`claude-*` + gpt-5 → `claude-gpt-5`), kept only if it routes back to the same route; an
 * Anthropic route that keeps the requested model lists the upstream's own models.
 */
export async function listModels(c: Context<V1Env>): Promise<Response> {
  const routes = c.get('config').routes.get();
  const seen = new Set<string>();
  const models: ModelInfo[] = [];
  const add = (model: ModelInfo) => {
    const key = model.id.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    models.push(model);
  };
  for (const route of routes) {
    for (const model of await modelsOf(route, routes, c)) add(model);
  }
  return c.json(paginate(models, c.req.query('limit'), c.req.query('after_id'), c.req.query('before_id')));
}

export async function getModel(c: Context<V1Env>): Promise<Response> {
  const id = c.req.param('id') ?? '';
  const route = matchRoute(c.get('config').routes.get(), id);
  if (!route) throw new ProxyError('not_found_error', `model: ${id} is not served by this proxy (no route in ROUTES matches it)`);
  return c.json({ type: 'model', id, display_name: displayName(route, id), created_at: LISTED_AT } satisfies ModelInfo);
}

async function modelsOf(route: Route, routes: readonly Route[], c: Context<V1Env>): Promise<ModelInfo[]> {
  const wildcard = /[*?]/.test(route.match);
  if (!wildcard) return [{ type: 'model', id: route.match, display_name: displayName(route, route.match), created_at: LISTED_AT }];
  // Bedrock and Vertex serve Claude under their own ids: list the Claude ids that reach them.
  const served = platformModels(route).filter((model) => matchRoute(routes, model.id) === route);
  if (served.length > 0 || ((route.provider === 'bedrock' || route.provider === 'vertex') && !route.model)) {
    return served.map(({ id, platformId }) => ({
      type: 'model',
      id,
      display_name: `${platformId} (${route.provider} ${route.region})`,
      created_at: LISTED_AT,
    }));
  }
  if (route.model) {
    const fill = route.model.replace(/[^A-Za-z0-9._:-]/g, '-');
    let id = route.match.replace(/\*/g, fill).replace(/\?/g, 'x');
    if (!CLAUDE_ID.test(id)) id = `claude-${id}`;
    return matchRoute(routes, id) === route ? [{ type: 'model', id, display_name: displayName(route, id), created_at: LISTED_AT }] : [];
  }
  if (route.provider === 'anthropic') return upstreamModels(route, routes, c);
  return [];
}

/** What a model is, without where: the routes' hosts are the owner's business. */
function displayName(route: Route, id: string): string {
  return `${route.model ?? id} (${route.provider})`;
}

/** The upstream's list, for a passthrough route, through the same upstream call as any request; a failure only leaves these models out. */
async function upstreamModels(route: Route, routes: readonly Route[], c: Context<V1Env>): Promise<ModelInfo[]> {
  const config = c.get('config');
  try {
    const auth = upstreamAuth(route, c.get('client'), config.secret);
    if (route.apiKey === CLIENT_KEY && Object.keys(auth.headers).length === 0) return [];
    const { url, init } = modelListRequest(route.baseUrl, c.req.raw.headers, auth);
    const timeoutMs = Math.min(route.timeoutMs ?? TARGET_DEFAULTS.timeoutMs, MODEL_LIST_TIMEOUT_MS);
    const outcome = await sendOnce(url, init, timeoutMs, c.req.raw.signal);
    if (outcome.kind !== 'response') return [];
    const { response, clearDeadline } = outcome;
    try {
      if (!response.ok) return [];
      const body = (await response.json()) as { data?: ModelInfo[] };
      return (body.data ?? []).filter((model) => typeof model?.id === 'string' && matchRoute(routes, model.id) === route);
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
