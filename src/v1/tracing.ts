import type { MiddlewareHandler } from 'hono';
import type { Bindings, Config } from '../config';
import type { ClientIdentity } from '../protocol/client';
import { RequestRecorder } from '../recording/recorder';
import { persist } from '../storage/persist';

/** Hono's environment for /v1 (and for errors on any traced path): the request's recorder too. */
export interface V1Env {
  Bindings: Bindings;
  Variables: { config: Config; recorder: RequestRecorder; client: ClientIdentity };
}

/** Paths that are not client requests to trace: the base-URL probe, health checks, a browser's favicon, and the owner's own reads. */
function untraced(path: string): boolean {
  return path === '/' || path === '/health' || path === '/favicon.ico' || path.startsWith('/api/') || path === '/api' || path.startsWith('/ui');
}

/**
 * Opens a record for every client request and, once its answer has ended, hands the completed
 * request to storage (trace and spend) in `waitUntil`. The response is never held back for it.
 */
export const recordRequests: MiddlewareHandler<V1Env> = async (c, next) => {
  if (untraced(c.req.path)) return next();
  const config = c.get('config');
  const recorder = new RequestRecorder(c.req.raw, c.req.path);
  c.set('recorder', recorder);
  await next();
  recorder.finish(c.res.status);
  c.res.headers.set('x-trace-id', recorder.id);
  const ended = recorder.ended ?? Promise.resolve();
  // A macrotask first: the runtime sends the response (or its last bytes) before the record is built.
  c.executionCtx.waitUntil(ended.then(() => new Promise((resolve) => setTimeout(resolve, 0))).then(() => persist(config, recorder.complete())));
};
