import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import { checkAdminToken, refuseIfThrottled } from '../api/admin-auth';
import { fromParams, resolveRangeQuery, resolveSessionQuery, resolveTraceQuery, sessionKeyParam } from '../api/query';
import type { SurfaceEnv } from '../config';
import { ProxyError } from '../core/errors';
import { getSession, getTrace, listSessions, listTraces, requestBodyOf, sessionNeighbours, stats, type TraceSummary } from '../storage/queries';
import { SCRIPT, STYLES } from './assets';
import { firstNewMessage } from './conversation';
import { LoginPage } from './pages/login';
import { OverviewPage } from './pages/overview';
import { SessionPage } from './pages/session';
import { SessionsPage } from './pages/sessions';
import { TracePage } from './pages/trace';
import { TracesPage } from './pages/traces';
import { isSignedIn, signIn, signOut } from './session-cookie';

/**
 * The trace viewer under /ui: server-rendered pages over the same queries as /api. Signed in with
 * ADMIN_TOKEN through a form; a signed, HttpOnly, SameSite=Strict cookie after that.
 */
export const ui = new Hono<SurfaceEnv>();

/** Nothing from a trace may run: no inline script or style, no external origin, no framing. */
ui.use(
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    crossOriginEmbedderPolicy: false,
  }),
);
ui.use(async (c, next) => {
  await next();
  if (!c.req.path.startsWith('/ui/assets/')) c.res.headers.set('cache-control', 'no-store');
});

ui.get('/assets/app.css', (c) => c.body(STYLES, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }));
ui.get('/assets/app.js', (c) => c.body(SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' }));

/** Only a path inside the viewer: never an absolute URL (no open redirect), never a control character (no header injection). */
function safeNext(next: unknown): string {
  if (next === undefined || next === '') return '/ui';
  if (typeof next !== 'string' || hasControlCharacter(next)) {
    throw new ProxyError('invalid_request_error', 'next: expected a path inside the viewer (/ui/…) without control characters');
  }
  return /^\/ui(\/[^\\]*)?(\?.*)?$/.test(next) && !next.startsWith('//') ? next : '/ui';
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Sign-in and sign-out are form posts: only from the viewer's own pages (Hono's CSRF check: Origin / Sec-Fetch-Site). */
ui.use('/login', csrf());
ui.use('/logout', csrf());

ui.get('/login', (c) => c.html(<LoginPage next={safeNext(c.req.query('next'))} closed={c.get('config').adminClosed} />));

ui.post('/login', async (c) => {
  const config = c.get('config');
  const form = await c.req.parseBody();
  const next = safeNext(form.next);
  if (!config.adminToken) return c.html(<LoginPage next={next} closed={config.adminClosed} />, 401);
  await refuseIfThrottled(c);
  if (!(await checkAdminToken(c, typeof form.token === 'string' ? form.token : null))) {
    return c.html(<LoginPage error="That is not the admin token." next={next} closed={null} />, 401);
  }
  await signIn(c, config.db, config.adminToken);
  return c.redirect(next, 303);
});

ui.post('/logout', async (c) => {
  await signOut(c, c.get('config').db, c.get('config').adminToken);
  return c.redirect('/ui/login', 303);
});

ui.use(async (c, next) => {
  if (await isSignedIn(c, c.get('config').db, c.get('config').adminToken)) return next();
  const url = new URL(c.req.url);
  return c.redirect(`/ui/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
});

ui.get('/', async (c) => {
  const db = c.get('config').db;
  const range = resolveRangeQuery(fromParams(c.req.query()), Date.now(), { range: '24h' });
  const [overall, expensive, recent] = await Promise.all([
    stats(db, range),
    listSessions(db, { ...range, sort: 'cost', limit: 5 }),
    listSessions(db, { ...range, sort: 'recent', limit: 5 }),
  ]);
  return c.html(<OverviewPage stats={overall} range={range.range ?? 'custom'} expensive={expensive.data} recent={recent.data} />);
});

ui.get('/sessions', async (c) => {
  const query = c.req.query();
  const filters = resolveSessionQuery(fromParams(query), Date.now(), { range: '7d', limit: 50 });
  const result = await listSessions(c.get('config').db, filters);
  return c.html(
    <SessionsPage sessions={result.data} nextCursor={result.nextCursor} query={{ ...query, range: filters.range }} range={filters.range ?? 'custom'} />,
  );
});

ui.get('/sessions/:id', async (c) => {
  const found = await getSession(c.get('config').db, c.req.param('id'), { key: sessionKeyParam(c.req.query('key')) });
  if (!found) return c.html(<TracesPage traces={[]} nextCursor={null} query={{ session: c.req.param('id') }} range="custom" />, 404);
  return c.html(<SessionPage session={found.session} traces={found.traces as TraceSummary[]} tree={found.tree} />);
});

ui.get('/traces', async (c) => {
  const query = c.req.query();
  const filters = resolveTraceQuery(fromParams(query), Date.now(), { range: '7d', limit: 100 });
  const result = await listTraces(c.get('config').db, filters);
  return c.html(
    <TracesPage traces={result.data} nextCursor={result.nextCursor} query={{ ...query, range: filters.range }} range={filters.range ?? 'custom'} />,
  );
});

ui.get('/traces/:id', async (c) => {
  const db = c.get('config').db;
  const bucket = c.get('config').trace.store?.bucket;
  const trace = await getTrace(db, c.req.param('id'), bucket);
  if (!trace) return c.html(<TracesPage traces={[]} nextCursor={null} query={{}} range="custom" />, 404);
  const request = parsedBody(trace.requestBody, trace.requestBodyTruncated);
  const fullHistory = c.req.query('history') === 'full';
  const neighbours = trace.sessionId ? await sessionNeighbours(db, trace.sessionId, trace.apiKeyName, trace.id) : null;
  let from = 0;
  const messages = request && typeof request === 'object' ? (request as { messages?: unknown }).messages : null;
  if (!fullHistory && trace.requestFrame !== null && Array.isArray(messages)) {
    // Stored as history + news: what is new is known without reading the previous turn. The
    // history's last message, when it is the previous turn's answer, is shown as new too.
    from = trace.historyLength ?? 0;
    if (from > 0 && (messages[from - 1] as { role?: unknown } | undefined)?.role === 'assistant') from--;
  } else if (!fullHistory && neighbours?.previous && request && typeof request === 'object') {
    const previous = parsedBody(await requestBodyOf(db, neighbours.previous, bucket), false);
    const messages = (request as { messages?: unknown }).messages;
    const previousMessages = previous && typeof previous === 'object' ? (previous as { messages?: unknown }).messages : null;
    if (Array.isArray(messages) && Array.isArray(previousMessages)) from = firstNewMessage(messages, previousMessages);
  }
  return c.html(
    <TracePage
      trace={trace}
      request={request}
      response={parsedBody(trace.responseBody, trace.responseBodyTruncated)}
      from={from}
      neighbours={neighbours}
      fullHistory={fullHistory}
    />,
  );
});

/** A stored body as JSON for drawing, or null when it is cut or not JSON (the raw view still shows it). */
function parsedBody(text: string | null | undefined, truncated: boolean): unknown {
  if (!text || truncated) return text ?? null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
