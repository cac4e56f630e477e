import type { Context } from 'hono';
import { budgetFor } from '../config/budgets';
import { ProxyError } from '../core/errors';
import { identifyClient, rateLimitKey } from '../protocol/client';
import { sessionFromMetadata } from '../protocol/session';
import { requireModel, validateRequest } from '../protocol/validate';
import { requestFacts } from '../routing/facts';
import { allAnthropic, routeRequest } from '../routing/match';
import { enforceBudget } from '../storage/spend';
import { dispatch } from '../upstream/dispatch';
import type { Operation } from '../upstream/types';
import { readJsonBody } from './body';
import type { V1Env } from './tracing';

/** Seconds a rate-limited client is told to wait: the longest period the Rate Limiting binding offers. */
const RATE_LIMIT_RETRY_AFTER = '60';

/**
 * POST /v1/messages and /v1/messages/count_tokens: parse once, identify the client, route on
 * what the request is, check, settle who pays, and dispatch to the chosen targets.
 */
export function routedHandler(operation: Operation) {
  return async (c: Context<V1Env>): Promise<Response> => {
    const config = c.get('config');
    const recorder = c.get('recorder');
    const routes = config.routes.get();
    const { text, json } = await readJsonBody(c);
    const body = requireModel(json);
    recorder.asked(body.model, operation === 'messages' && body.stream === true);
    const sessionId = c.req.header('x-claude-code-session-id') || (typeof body.metadata === 'object' ? sessionFromMetadata(body) : null);
    recorder.session(sessionId);

    // Who the client is comes first: routes may ask for a proxy key by name.
    const client = await identifyClient(c.req.raw.headers, config.proxyKeys, config.rateLimiter !== null);
    recorder.client(client);
    const decision = routeRequest(routes, requestFacts(body, c.req.raw.headers, client.proxyKeyName, sessionId));
    if (!decision) {
      throw new ProxyError('not_found_error', `model: ${body.model} is not served by this proxy (no route in ROUTES matches it)`);
    }
    recorder.routeChosen(decision.route.name, decision.reason);
    recorder.routed(decision.targets[0]!.provider);
    // Anthropic takes block types the proxy does not know; a translation cannot.
    validateRequest(body, operation, allAnthropic(decision.route) ? 'anthropic' : 'translated');

    if (config.rateLimiter) {
      const { success } = await config.rateLimiter.limit({ key: rateLimitKey(client, c.req.header('cf-connecting-ip') ?? c.req.header('x-real-ip')) });
      if (!success) {
        throw new ProxyError('rate_limit_error', 'rate limit exceeded for this key: slow down and retry later', 429, { 'retry-after': RATE_LIMIT_RETRY_AFTER });
      }
    }
    // Budgets cap what answers cost; counting tokens costs nothing.
    if (operation === 'messages' && client.proxyKeyName) {
      const budgets = config.budgets.get();
      const budget = budgets && budgetFor(budgets, client.proxyKeyName);
      if (budget) await enforceBudget(config.d1, client.proxyKeyName, budget, recorder.id, (work) => c.executionCtx.waitUntil(work));
    }
    return dispatch({ operation, body, bodyText: text, clientHeaders: c.req.raw.headers, observer: recorder }, decision, {
      client,
      secret: config.secret,
      signal: c.req.raw.signal,
    });
  };
}
