import type { Context } from 'hono';
import { budgetFor, enforceBudget, loadBudgets } from '../ops/budgets';
import { dispatch } from '../providers/dispatch';
import type { Operation } from '../providers/types';
import { loadRoutes, matchRoute } from '../routing/config';
import type { AppEnv } from './app-env';
import { identifyClient, rateLimitKey } from './auth';
import { readJsonBody, sessionFromMetadata } from './body';
import { ProxyError } from './errors';
import { requireModel, validateRequest } from './validate';

/** Seconds a rate-limited client is told to wait: the longest period the Rate Limiting binding offers. */
const RATE_LIMIT_RETRY_AFTER = '60';

/**
 * POST /v1/messages and /v1/messages/count_tokens: parse once, check, route on the model,
 * settle who pays, and dispatch to the route's targets.
 */
export function routedHandler(operation: Operation) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const trace = c.get('trace');
    const routes = loadRoutes(c.env.ROUTES);
    const { text, json } = await readJsonBody(c);
    const body = requireModel(json);
    trace.row.requestedModel = body.model;
    trace.row.stream = operation === 'messages' && body.stream === true;
    if (typeof body.metadata === 'object') trace.row.sessionId ??= sessionFromMetadata(body);

    const route = matchRoute(routes, body.model);
    if (!route) {
      throw new ProxyError('not_found_error', `model: ${body.model} is not served by this proxy (no route in ROUTES matches it)`);
    }
    trace.row.provider = route.provider;
    // Anthropic takes block types the proxy does not know; a translation cannot.
    validateRequest(body, operation, route.provider === 'anthropic' && route.fallbacks.every((f) => f.provider === 'anthropic') ? 'anthropic' : 'translated');

    const client = await identifyClient(c.req.raw.headers, c.env, trace);
    const limiter = c.env.RATE_LIMITER;
    if (limiter) {
      const { success } = await limiter.limit({ key: rateLimitKey(client, trace.row.clientIp) });
      if (!success) {
        throw new ProxyError('rate_limit_error', 'rate limit exceeded for this key: slow down and retry later', 429, { 'retry-after': RATE_LIMIT_RETRY_AFTER });
      }
    }
    // Budgets cap what answers cost; counting tokens costs nothing.
    if (operation === 'messages' && client.proxyKeyName) {
      const budgets = loadBudgets(c.env.KEY_BUDGETS);
      const budget = budgets && budgetFor(budgets, client.proxyKeyName);
      if (budget) await enforceBudget(c.env.DB, client.proxyKeyName, budget, trace.id, (work) => c.executionCtx.waitUntil(work));
    }
    return dispatch({ operation, body, bodyText: text, clientHeaders: c.req.raw.headers, trace }, route, client, c.env, c.req.raw.signal);
  };
}
