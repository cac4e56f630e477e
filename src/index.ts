import { type Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { api } from './api/routes';
import { type Bindings, loadConfig } from './config';
import { errorResponse, errorTypeForStatus, ProxyError } from './core/errors';
import { log } from './core/log';
import { checkHealth } from './health';
import { runScheduled } from './jobs';
import { consumeTraceBatch } from './jobs/trace-queue';
import { ui } from './ui/routes';
import { requireAccess } from './v1/access';
import { routedHandler } from './v1/messages';
import { getModel, listModels } from './v1/models';
import { recordRequests, type V1Env } from './v1/tracing';

const app = new Hono<V1Env>();

// The configuration, parsed once per isolate, for every handler below.
app.use((c, next) => {
  c.set('config', loadConfig(c.env));
  return next();
});
app.use(recordRequests);
app.use(
  methodNotAllowed({
    app,
    onMethodNotAllowed: (c, methods) => {
      const message = `${c.req.method} is not allowed on ${c.req.path}: use ${methods.join(', ')}`;
      // The router answered 404 first: this is the real reason.
      const error = new ProxyError('invalid_request_error', message, 405, { allow: methods.join(', ') });
      recorderOf(c)?.fail(error, true);
      return errorResponse(error, recorderOf(c)?.id);
    },
  }),
);
// Who may use /v1, decided before any body is read.
app.use('/v1/*', requireAccess);
// Claude Code probes the base URL at start-up; any 200 will do.
app.on(['GET', 'HEAD'], '/', (c) => c.json({ name: 'claude-proxy', ok: true }));

// For uptime checks: 503 when requests would fail (D1 down, a setting unreadable).
app.on(['GET', 'HEAD'], '/health', async (c) => {
  const health = await checkHealth(c.get('config'));
  return c.json(health, health.status === 'error' ? 503 : 200, { 'cache-control': 'no-store' });
});

app.post('/v1/messages', routedHandler('messages'));
app.post('/v1/messages/count_tokens', routedHandler('countTokens'));
app.get('/v1/models', listModels);
app.get('/v1/models/:id', getModel);

app.route('/api', api);
app.route('/ui', ui);

app.notFound((c) => respondWithError(c, new ProxyError('not_found_error', `no such endpoint: ${c.req.method} ${c.req.path}`)));

app.onError((err, c) => {
  // Hono's own middleware (bearer auth) answers with a response already in Anthropic's format.
  if (err instanceof HTTPException && err.res) {
    recorderOf(c)?.fail({ type: errorTypeForStatus(err.status), message: err.message || `HTTP ${err.status}` });
    return err.getResponse();
  }
  return respondWithError(c, asProxyError(err, c));
});

function recorderOf(c: Context<V1Env>) {
  return c.get('recorder') as V1Env['Variables']['recorder'] | undefined;
}

function asProxyError(err: Error, c: Context<V1Env>): ProxyError {
  if (err instanceof ProxyError) return err;
  if (err instanceof HTTPException) return new ProxyError(errorTypeForStatus(err.status), err.message || 'request rejected', err.status);
  log('error', 'unhandled_error', recorderOf(c)?.id ?? null, { method: c.req.method, path: c.req.path, error: err.stack ?? String(err) });
  // A database error quotes its query: the client gets what failed, the log gets the details.
  const message = /failed query|D1_|SQLITE_|\b(?:select|insert|update|delete)\b[\s\S]*\b(?:from|into|set|where)\b/i.test(err.message)
    ? 'a database query failed (the worker log has the details, under this trace id)'
    : err.message;
  return new ProxyError('api_error', `internal proxy error: ${message}`);
}

/** Every error leaves in Anthropic's format, and its trace says why. */
function respondWithError(c: Context<V1Env>, error: ProxyError): Response {
  const recorder = recorderOf(c);
  recorder?.fail(error);
  return errorResponse(error, recorder?.id);
}

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(loadConfig(env), controller.cron, controller.scheduledTime));
  },
  // TRACE_QUEUE's consumer (and its dead-letter queue's): finished requests' writes, in batches.
  queue(batch, env) {
    return consumeTraceBatch(loadConfig(env), batch);
  },
} satisfies ExportedHandler<Bindings, unknown>;

export { ClaudeProxyRpc } from './rpc';
