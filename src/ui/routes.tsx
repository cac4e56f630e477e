import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { isAdminToken } from '../api/admin-auth';
import { parseBody, parseRange } from '../api/query';
import type { SurfaceEnv } from '../config';
import { getSession, getTrace, listSessions, listTraces, requestBodyOf, sessionNeighbours, stats, type TraceSummary } from '../storage/queries';
import { SCRIPT, STYLES } from './assets';
import { firstNewMessage } from './conversation';
import { LoginPage } from './pages/login';
import { OverviewPage } from './pages/overview';
import { SessionPage } from './pages/session';
import { SessionsPage } from './pages/sessions';
import { TracePage } from './pages/trace';
import { TracesPage } from './pages/traces';
import { COOKIE_NAME, SESSION_SECONDS, issueSession, verifySession } from './session-cookie';

/**
 * The trace viewer under /ui: server-rendered pages over the same queries as /api. Signed in with
 * ADMIN_TOKEN through a form; a signed, HttpOnly, SameSite=Strict cookie after that.
 */
export const ui = new Hono<SurfaceEnv>();

/** Nothing from a trace may run: no inline script or style, no external origin, no framing. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

ui.use(async (c, next) => {
  await next();
  c.res.headers.set('content-security-policy', CSP);
  c.res.headers.set('x-content-type-options', 'nosniff');
  c.res.headers.set('referrer-policy', 'no-referrer');
  c.res.headers.set('x-frame-options', 'DENY');
  if (!c.req.path.startsWith('/ui/assets/')) c.res.headers.set('cache-control', 'no-store');
});

ui.get('/assets/app.css', (c) => c.body(STYLES, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }));
ui.get('/assets/app.js', (c) => c.body(SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' }));

/** Only a path inside the viewer: never an absolute URL (no open redirect). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/ui(\/[^\\]*)?(\?.*)?$/.test(next) && !next.startsWith('//') ? next : '/ui';
}

ui.get('/login', (c) => c.html(<LoginPage next={safeNext(c.req.query('next'))} closed={!c.get('config').adminToken} />));

ui.post('/login', async (c) => {
  const form = await c.req.parseBody();
  const next = safeNext(form.next);
  if (!(await isAdminToken(typeof form.token === 'string' ? form.token : null, c.get('config').adminToken))) {
    return c.html(<LoginPage error="That is not the admin token." next={next} closed={!c.get('config').adminToken} />, 401);
  }
  setCookie(c, COOKIE_NAME, await issueSession(c.get('config').adminToken!), {
    path: '/ui',
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    maxAge: SESSION_SECONDS,
  });
  return c.redirect(next, 303);
});

ui.post('/logout', (c) => {
  deleteCookie(c, COOKIE_NAME, { path: '/ui', httpOnly: true, secure: true, sameSite: 'Strict' });
  return c.redirect('/ui/login', 303);
});

ui.use(async (c, next) => {
  if (await verifySession(getCookie(c, COOKIE_NAME), c.get('config').adminToken)) return next();
  const url = new URL(c.req.url);
  return c.redirect(`/ui/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
});

ui.get('/', async (c) => {
  const db = c.get('config').db;
  const range = parseRange(c.req.query(), Date.now(), '24h');
  const [overall, expensive, recent] = await Promise.all([
    stats(db, range),
    listSessions(db, { ...range, sort: 'cost', limit: 5 }),
    listSessions(db, { ...range, sort: 'recent', limit: 5 }),
  ]);
  return c.html(<OverviewPage stats={overall} range={range.range ?? 'custom'} expensive={expensive.data} recent={recent.data} />);
});

ui.get('/sessions', async (c) => {
  const query = c.req.query();
  const range = parseRange(query, Date.now(), '7d');
  const result = await listSessions(c.get('config').db, {
    ...range,
    model: query.model || undefined,
    errorsOnly: query.errors === 'true',
    sort: query.sort === 'cost' ? 'cost' : 'recent',
    limit: 50,
    cursor: query.cursor,
  });
  return c.html(
    <SessionsPage sessions={result.data} nextCursor={result.nextCursor} query={{ ...query, range: range.range }} range={range.range ?? 'custom'} />,
  );
});

ui.get('/sessions/:id', async (c) => {
  const found = await getSession(c.get('config').db, c.req.param('id'));
  if (!found) return c.html(<TracesPage traces={[]} nextCursor={null} query={{ session: c.req.param('id') }} range="custom" />, 404);
  return c.html(<SessionPage session={found.session} traces={found.traces as TraceSummary[]} />);
});

ui.get('/traces', async (c) => {
  const query = c.req.query();
  const range = parseRange(query, Date.now(), '7d');
  const result = await listTraces(c.get('config').db, {
    ...range,
    sessionId: query.session || undefined,
    model: query.model || undefined,
    targetModel: query.target_model || undefined,
    route: query.route || undefined,
    status: query.status || undefined,
    errorType: query.error_type || undefined,
    limit: 100,
    cursor: query.cursor,
  });
  return c.html(<TracesPage traces={result.data} nextCursor={result.nextCursor} query={{ ...query, range: range.range }} range={range.range ?? 'custom'} />);
});

ui.get('/traces/:id', async (c) => {
  const db = c.get('config').db;
  const bucket = c.get('config').trace.store?.bucket;
  const trace = await getTrace(db, c.req.param('id'), bucket);
  if (!trace) return c.html(<TracesPage traces={[]} nextCursor={null} query={{}} range="custom" />, 404);
  const request = parseBody(trace.requestBody);
  const fullHistory = c.req.query('history') === 'full';
  const neighbours = trace.sessionId ? await sessionNeighbours(db, trace.sessionId, trace.id) : null;
  let from = 0;
  if (!fullHistory && neighbours?.previous && request && typeof request === 'object') {
    const previous = parseBody(await requestBodyOf(db, neighbours.previous, bucket));
    const messages = (request as { messages?: unknown }).messages;
    const previousMessages = previous && typeof previous === 'object' ? (previous as { messages?: unknown }).messages : null;
    if (Array.isArray(messages) && Array.isArray(previousMessages)) from = firstNewMessage(messages, previousMessages);
  }
  return c.html(
    <TracePage
      trace={trace}
      request={request}
      upstreamRequest={parseBody(trace.upstreamRequestBody)}
      response={parseBody(trace.responseBody)}
      from={from}
      neighbours={neighbours}
      fullHistory={fullHistory}
    />,
  );
});
