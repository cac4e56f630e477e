import type { Context } from 'hono';
import { budgetFor } from '../config/budgets';
import { ProxyError } from '../core/errors';
import { sessionFromMetadata } from '../protocol/session';
import { requireModel, validateRequest } from '../protocol/validate';
import { requestFacts } from '../routing/facts';
import { allAnthropic, routeRequest } from '../routing/match';
import { enforceBudget } from '../storage/spend';
import { dispatch } from '../upstream/dispatch';
import { type Operation, providerCall } from '../upstream/types';
import { refuse } from './access';
import { readJsonBody } from './body';
import type { V1Env } from './tracing';

/**
 * POST /v1/messages and /v1/messages/count_tokens: parse once, identify the client, route on
 * what the request is, check, settle who pays, and dispatch to the chosen targets.
 */
export function routedHandler(operation: Operation) {
  return async (c: Context<V1Env>): Promise<Response> => {
    const config = c.get('config');
    const recorder = c.get('recorder');
    const routes = config.routes.get();
    const { bytes, json } = await readJsonBody(c);
    const body = requireModel(json);
    recorder.asked(body.model, operation === 'messages' && body.stream === true);
    const sessionId = c.req.header('x-claude-code-session-id') || (typeof body.metadata === 'object' ? sessionFromMetadata(body) : null);
    recorder.session(sessionId);

    // The client was identified before the body was read (v1/access.ts): routes may ask for a proxy key by name.
    const client = c.get('client');
    const decision = routeRequest(routes, requestFacts(body, c.req.raw.headers, client.proxyKeyName, sessionId));
    if (!decision) {
      throw new ProxyError('not_found_error', `model: ${body.model} is not served by this proxy (no route in ROUTES matches it)`);
    }
    recorder.routeChosen(decision.route.name, decision.reason);
    recorder.routed(decision.targets[0]!.provider);
    // Anthropic takes block types the proxy does not know; a translation cannot.
    validateRequest(body, operation, allAnthropic(decision.route) ? 'anthropic' : 'translated');
    // Budgets cap what answers cost; counting tokens costs nothing.
    if (operation === 'messages' && client.proxyKeyName) {
      const budgets = config.budgets.get();
      const budget = budgets && budgetFor(budgets, client.proxyKeyName);
      if (budget) {
        try {
          await enforceBudget(config.d1, client.proxyKeyName, budget, recorder.id, (work) => c.executionCtx.waitUntil(work));
        } catch (err) {
          throw err instanceof ProxyError ? refuse(c, err) : err;
        }
      }
    }
    return dispatch(providerCall({ operation, body, bodyBytes: bytes, clientHeaders: c.req.raw.headers, observer: recorder }), decision, {
      client,
      secret: config.secret,
      secrets: config.secrets,
      signal: c.req.raw.signal,
    });
  };
}
