import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/app-env';
import { loadRoutes, targetsOf } from '../routing/config';
import { configuredSecrets } from './redact';
import { TraceContext } from './trace';
import { tracePolicy, writeTrace } from './writer';

/** Paths that are not client requests to trace: the base-URL probe, health checks, a browser's favicon, and the owner's own reads. */
function untraced(path: string): boolean {
  return path === '/' || path === '/health' || path === '/favicon.ico' || path.startsWith('/api/') || path === '/api' || path.startsWith('/ui');
}

/**
 * Opens a trace for every client request and schedules its write with `waitUntil`, after the
 * response body (if relayed) has ended. The response is never held back for it.
 */
export const traceRequests: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (untraced(c.req.path)) return next();
  const trace = new TraceContext(c.req.raw, c.req.path);
  for (const secret of configuredSecrets(c.env, () => loadRoutes(c.env.ROUTES).flatMap(targetsOf))) trace.secrets.add(secret);
  c.set('trace', trace);
  await next();
  trace.row.status = c.res.status;
  c.res.headers.set('x-trace-id', trace.id);
  if (!trace.ended) trace.end(c.res.ok ? 'complete' : 'error');
  // TRACING=off: serve without writing traces (to measure what tracing costs).
  if (c.env.TRACING === 'off') return;
  const ended = trace.ended ?? Promise.resolve();
  // A macrotask first: the runtime sends the response (or its last bytes) before the trace is built.
  c.executionCtx.waitUntil(
    ended.then(() => new Promise((resolve) => setTimeout(resolve, 0))).then(() => writeTrace(c.env.DB, trace, tracePolicy(c.env))),
  );
};
