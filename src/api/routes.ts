import { Hono } from 'hono';
import type { SurfaceEnv } from '../config';
import { ProxyError } from '../core/errors';
import { getSession, getTrace, listSessions, listTraces, stats } from '../storage/queries';
import { requireAdmin } from './admin-auth';
import { BodyJson, toApi } from './json';
import { fromParams, resolveRangeQuery, resolveSessionQuery, resolveTraceQuery, sessionKeyParam } from './query';

/**
 * The trace query API under /api, for the owner: `Authorization: Bearer <ADMIN_TOKEN>`.
 * Lists carry no bodies; single traces carry everything, bodies exactly as stored.
 */
export const api = new Hono<SurfaceEnv>();

api.use(requireAdmin);

api.get('/traces', async (c) => {
  const result = await listTraces(c.get('config').db, resolveTraceQuery(fromParams(c.req.query()), Date.now()));
  return c.json(toApi({ data: result.data, nextCursor: result.nextCursor, hasMore: result.nextCursor !== null }));
});

api.get('/traces/:id', async (c) => {
  const config = c.get('config');
  const trace = await getTrace(config.db, c.req.param('id'), config.trace.store?.bucket);
  if (!trace) throw new ProxyError('not_found_error', `no trace ${c.req.param('id')}`);
  const json = new BodyJson();
  return json.response(json.trace(trace));
});

api.get('/sessions', async (c) => {
  const result = await listSessions(c.get('config').db, resolveSessionQuery(fromParams(c.req.query()), Date.now()));
  return c.json(toApi({ data: result.data, nextCursor: result.nextCursor, hasMore: result.nextCursor !== null }));
});

api.get('/sessions/:id', async (c) => {
  const config = c.get('config');
  const bodies = c.req.query('bodies') === 'true' || c.req.query('bodies') === '1';
  const found = await getSession(config.db, c.req.param('id'), { bodies, bucket: config.trace.store?.bucket, key: sessionKeyParam(c.req.query('key')) });
  if (!found) throw new ProxyError('not_found_error', `no session ${c.req.param('id')}`);
  const json = new BodyJson();
  return json.response({ session: toApi(found.session), traces: found.traces.map((trace) => json.trace(trace)), tree: toApi(found.tree) });
});

api.get('/stats', async (c) => {
  return c.json(toApi(await stats(c.get('config').db, resolveRangeQuery(fromParams(c.req.query()), Date.now(), { range: '24h' }))));
});
