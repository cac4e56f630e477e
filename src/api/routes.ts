import { Hono } from 'hono';
import type { AppEnv } from '../http/app-env';
import { ProxyError } from '../http/errors';
import { requireAdmin } from './admin-auth';
import { parseRange, resolveSessionQuery, resolveTraceQuery, sessionQueryFromParams, toApi, traceQueryFromParams, withParsedBodies } from './params';
import { database, getSession, getTrace, listSessions, listTraces, stats, type FullTrace } from './queries';

/**
 * The trace query API under /api, for the owner: `Authorization: Bearer <ADMIN_TOKEN>`.
 * Lists carry no bodies; single traces carry everything.
 */
export const api = new Hono<AppEnv>();

api.use(async (c, next) => {
  await requireAdmin(c.req.header('authorization'), c.env.ADMIN_TOKEN);
  await next();
});

api.get('/traces', async (c) => {
  const result = await listTraces(database(c.env.DB), resolveTraceQuery(traceQueryFromParams(c.req.query()), Date.now()));
  return c.json(toApi({ data: result.data, nextCursor: result.nextCursor, hasMore: result.nextCursor !== null }));
});

api.get('/traces/:id', async (c) => {
  const trace = await getTrace(database(c.env.DB), c.req.param('id'), c.env.BODIES_BUCKET);
  if (!trace) throw new ProxyError('not_found_error', `no trace ${c.req.param('id')}`);
  return c.json(toApi(withParsedBodies(trace)));
});

api.get('/sessions', async (c) => {
  const result = await listSessions(database(c.env.DB), resolveSessionQuery(sessionQueryFromParams(c.req.query()), Date.now()));
  return c.json(toApi({ data: result.data, nextCursor: result.nextCursor, hasMore: result.nextCursor !== null }));
});

api.get('/sessions/:id', async (c) => {
  const bodies = c.req.query('bodies') === 'true' || c.req.query('bodies') === '1';
  const found = await getSession(database(c.env.DB), c.req.param('id'), { bodies, bucket: c.env.BODIES_BUCKET });
  if (!found) throw new ProxyError('not_found_error', `no session ${c.req.param('id')}`);
  return c.json(toApi({ session: found.session, traces: bodies ? found.traces.map((trace) => withParsedBodies(trace as FullTrace)) : found.traces }));
});

api.get('/stats', async (c) => {
  return c.json(toApi(await stats(database(c.env.DB), parseRange(c.req.query(), Date.now(), '24h'))));
});
