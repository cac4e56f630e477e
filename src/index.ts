import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { api } from './api/routes';
import { ui } from './ui/routes';
import { DEFAULT_MAX_REQUEST_BYTES, type AppEnv } from './http/app-env';
import { ProxyError, errorResponse, errorTypeForStatus } from './http/errors';
import { routedHandler } from './http/messages';
import { getModel, listModels } from './http/models';
import { runAlerts } from './ops/alerts';
import { checkHealth } from './ops/health';
import { log } from './ops/log';
import { RETENTION_CRON, runRetention } from './tracing/retention';
import { traceRequests } from './tracing/middleware';

const app = new Hono<AppEnv>();

app.use(traceRequests);
app.use(
  methodNotAllowed({
    app,
    onMethodNotAllowed: (c, methods) => {
      const trace = c.get('trace');
      const message = `${c.req.method} is not allowed on ${c.req.path}: use ${methods.join(', ')}`;
      if (trace) {
        trace.row.errorType = 'invalid_request_error';
        trace.row.errorMessage = message;
      }
      return errorResponse(new ProxyError('invalid_request_error', message, 405, { allow: methods.join(', ') }), trace?.id);
    },
  }),
);
// Refuse oversized bodies from their content-length, or as soon as a chunked body passes the limit.
app.use('/v1/*', (c, next) => {
  const maxSize = Number(c.env.MAX_REQUEST_BYTES) || DEFAULT_MAX_REQUEST_BYTES;
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ProxyError('request_too_large', `request body is larger than ${maxSize} bytes (MAX_REQUEST_BYTES)`);
    },
  })(c, next);
});

// Claude Code probes the base URL at start-up; any 200 will do.
app.on(['GET', 'HEAD'], '/', (c) => c.json({ name: 'claude-proxy', ok: true }));

// For uptime checks: 503 when requests would fail (D1 down, a setting unreadable).
app.on(['GET', 'HEAD'], '/health', async (c) => {
  const health = await checkHealth(c.env);
  return c.json(health, health.status === 'error' ? 503 : 200, { 'cache-control': 'no-store' });
});

app.post('/v1/messages', routedHandler('messages'));
app.post('/v1/messages/count_tokens', routedHandler('countTokens'));
app.get('/v1/models', listModels);
app.get('/v1/models/:id', getModel);

app.route('/api', api);
app.route('/ui', ui);

app.notFound((c) => respondWithError(c, new ProxyError('not_found_error', `no such endpoint: ${c.req.method} ${c.req.path}`)));

app.onError((err, c) => respondWithError(c, asProxyError(err, c)));

function asProxyError(err: Error, c: Context<AppEnv>): ProxyError {
  if (err instanceof ProxyError) return err;
  if (err instanceof HTTPException) return new ProxyError(errorTypeForStatus(err.status), err.message || 'request rejected', err.status);
  log('error', 'unhandled_error', c.get('trace')?.id ?? null, { method: c.req.method, path: c.req.path, error: err.stack ?? String(err) });
  return new ProxyError('api_error', `internal proxy error: ${err.message}`);
}

/** Every error leaves in Anthropic's format, and its trace says why. */
function respondWithError(c: Context<AppEnv>, error: ProxyError): Response {
  const trace = c.get('trace');
  if (trace) {
    trace.row.errorType ??= error.type;
    trace.row.errorMessage ??= error.message;
  }
  return errorResponse(error, trace?.id);
}

export default {
  fetch: app.fetch,
  /** The daily RETENTION_CRON deletes old traces; every other cron trigger evaluates ALERTS. */
  async scheduled(controller, env, ctx) {
    const failed = (event: string) => (err: unknown) => log('error', event, null, { cron: controller.cron, error: err instanceof Error ? err.message : String(err) });
    ctx.waitUntil(
      controller.cron === RETENTION_CRON
        ? runRetention(env, controller.scheduledTime).catch(failed('trace_retention_failed'))
        : runAlerts(env, controller.scheduledTime).catch(failed('alert_run_failed')),
    );
  },
} satisfies ExportedHandler<AppEnv['Bindings']>;

export { ClaudeProxyRpc } from './rpc';
