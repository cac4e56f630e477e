import type { Context } from 'hono';
import { providers } from '../providers';
import type { Provider } from '../providers/types';
import { loadRoutes, matchRoute } from '../routing/config';
import type { AppEnv } from './app-env';
import { authorize } from './auth';
import { readJsonBody, requireModel, sessionFromMetadata } from './body';
import { ProxyError } from './errors';

/**
 * POST /v1/messages and /v1/messages/count_tokens: parse once, route on the model,
 * settle who pays, and hand the call to the route's provider.
 */
export function routedHandler(operation: keyof Provider) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const trace = c.get('trace');
    const routes = loadRoutes(c.env.ROUTES);
    const { text, json } = await readJsonBody(c);
    const body = requireModel(json);
    trace.row.requestedModel = body.model;
    trace.row.stream = operation === 'messages' && body.stream === true;
    trace.row.sessionId ??= sessionFromMetadata(body);

    const route = matchRoute(routes, body.model);
    if (!route) {
      throw new ProxyError('not_found_error', `model: ${body.model} is not served by this proxy (no route in ROUTES matches it)`);
    }
    trace.row.provider = route.provider;
    const auth = await authorize(route, c.req.raw.headers, c.env, trace);
    return providers[route.provider][operation]({
      body,
      bodyText: text,
      route,
      auth,
      clientHeaders: c.req.raw.headers,
      trace,
      signal: c.req.raw.signal,
    });
  };
}
