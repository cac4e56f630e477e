import { Hono } from 'hono';
import type { SurfaceEnv } from '../config';
import { ProxyError } from '../core/errors';
import { type FullTrace, getSession, getTrace, listSessions, listTraces, stats } from '../storage/queries';
import { requireAdmin } from './admin-auth';
import { parseRange, resolveSessionQuery, resolveTraceQuery, sessionQueryFromParams, toApi, traceQueryFromParams, withParsedBodies } from './query';

/**
 * The trace query API under /api, for the owner: `Authorization: Bearer <ADMIN_TOKEN>`.
 * Lists carry no bodies; single traces carry everything.
 */
export const api = new Hono<SurfaceEnv>();

api.use(async (c, next) => {
  await requireAdmin(c.req.header('authorization'), c.get('config').adminToken);
  await next();
});

api.get('/traces', async (c) => {
  const result = await listTraces(c.get('config').db, resolveTraceQuery(traceQueryFromParams(c.req.query()), Date.now()));
  return c.json(toApi({ data: result.data, nextCursor: result.nextCursor, hasMore: result.nextCursor !== null }));
});

api.get('/traces/:id', async (c) => {
  const trace = await getTrace(c.get('config').db, c.req.param('id'), c.get('config').trace.store?.bucket);
  if (!trace) throw new ProxyError('not_found_error', `no trace ${c.req.param('id')}`);
  return c.json(toApi(withParsedBodies(trace)));
});

api.get('/sessions', async (c) => {
  const result = await listSessions(c.get('config').db, resolveSessionQuery(sessionQueryFromParams(c.req.query()), Date.now()));
  return c.json(toApi({ data: result.data, nextCursor: result.nextCursor, hasMore: result.nextCursor !== null }));
});

api.get('/sessions/:id', async (c) => {
  const bodies = c.req.query('bodies') === 'true' || c.req.query('bodies') === '1';
  const found = await getSession(c.get('config').db, c.req.param('id'), { bodies, bucket: c.get('config').trace.store?.bucket });
  if (!found) throw new ProxyError('not_found_error', `no session ${c.req.param('id')}`);
  return c.json(
    toApi({ session: found.session, traces: bodies ? found.traces.map((trace) => withParsedBodies(trace as FullTrace)) : found.traces, tree: found.tree }),
  );
});

api.get('/stats', async (c) => {
  return c.json(toApi(await stats(c.get('config').db, parseRange(c.req.query(), Date.now(), '24h'))));
});
