import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { beforeAll, describe, expect, it } from 'vitest';
import { claudeCodeSession } from '../fixtures/session';
import { DAY, HOUR, seedTraces } from '../helpers/seed';
import { send } from '../helpers/worker';
import { usd } from '../../src/ui/format';
import { issueSession } from '../../src/ui/session-cookie';

const ADMIN_TOKEN = 'ui-admin-token-0123456789abcdef';
const db = drizzle(env.DB);
/** What a browser sends with a form posted from the viewer's own page. */
const SAME_ORIGIN = { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' };
const now = Date.now();
const session = claudeCodeSession(30);
let seeded: Awaited<ReturnType<typeof seedTraces>>;
let cookie: string;

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

beforeAll(async () => {
  cookie = `cp_ui=${await issueSession(db, ADMIN_TOKEN)}`;
  seeded = await seedTraces([
    ...session.map((turn, i) => ({
      at: now - 2 * HOUR + i * 60_000,
      sessionId: 'cc-session-1',
      requestedModel: 'claude-sonnet-4-6',
      targetModel: 'claude-sonnet-4-6',
      provider: 'anthropic',
      stream: true,
      requestBody: JSON.stringify(turn.request),
      responseBody: JSON.stringify(turn.response),
      stopReason: String(turn.response.stop_reason),
      inputTokens: 50 + i + 1,
      outputTokens: 20,
      cacheReadInputTokens: 1000 * (i + 1),
      costMicros: 1000 + i,
      durationMs: 800 + i * 10,
      ttftMs: 300,
      userAgent: 'claude-cli/2.1.197 (external, cli)',
    })),
    // a failed request
    {
      at: now - HOUR,
      sessionId: 'cc-session-2',
      requestedModel: 'claude-opus-4-8',
      targetModel: 'gpt-5.1',
      provider: 'openai',
      status: 429,
      errorType: 'rate_limit_error',
      errorMessage: 'api.openai.com: Rate limit reached',
      endReason: 'error',
      durationMs: 30,
      requestBody: JSON.stringify({ model: 'claude-opus-4-8', messages: [{ role: 'user', content: 'hi' }] }),
    },
    // one with an image and hostile text
    {
      at: now - 30 * 60_000,
      sessionId: 'cc-session-2',
      requestedModel: 'claude-opus-4-8',
      targetModel: 'gpt-5.1',
      provider: 'openai',
      costMicros: 5000,
      durationMs: 1200,
      requestBody: JSON.stringify({
        model: 'claude-opus-4-8',
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'text',
                text: 'What is in <script>alert("xss-script")</script> this image? <img src=x onerror=alert("xss-img")> [click](javascript:alert("xss-link")) </textarea><b>bold</b>',
              },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
              { type: 'image', source: { type: 'base64', media_type: 'image/svg+xml', data: 'PHN2Zz48L3N2Zz4=' } },
            ],
          },
        ],
      }),
      responseBody: JSON.stringify({
        type: 'message',
        role: 'assistant',
        content: [{ type: 'text', text: 'A single <em>pixel</em>.' }],
        stop_reason: 'end_turn',
      }),
    },
    // one truncated
    {
      at: now - 20 * 60_000,
      requestedModel: 'claude-haiku-4-5',
      targetModel: 'claude-haiku-4-5',
      provider: 'anthropic',
      requestBody: '{"model":"claude-haiku-4-5","messages":[{"role":"user","content":"xxxxxxxx',
      requestBodyTruncated: true,
      requestBytes: 2_600_000,
      durationMs: 90,
    },
    // an old one outside 24h
    { at: now - 3 * DAY, requestedModel: 'claude-haiku-4-5', targetModel: 'claude-haiku-4-5', provider: 'anthropic', costMicros: 7, durationMs: 10 },
  ]);
});

async function page(path: string, headers: Record<string, string> = { cookie }, overrides: Record<string, unknown> = {}) {
  const { response } = await send(path, { headers, redirect: 'manual' }, { ADMIN_TOKEN, ...overrides });
  return { response, html: await response.text() };
}

describe('overview', () => {
  it('shows requests, error rate, tokens and cost for the range, charts and sessions', async () => {
    const { response, html } = await page('/ui');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(html).toMatch(/<div class="value" id="requests">33<\/div>/);
    expect(html).toMatch(/id="error-rate">3.0%<\/div>/); // 1 of 33
    const cost = session.reduce((sum, _, i) => sum + 1000 + i, 0) + 5000; // µ$
    expect(html).toContain(`id="cost">${usd(cost)}</div>`);
    expect(usd(cost)).toBe('$0.04');
    expect(html).toContain('<h2>Cost per day</h2>');
    expect(html).toContain('<svg class="chart"');
    expect(html).toContain('href="/ui/sessions/cc-session-1?key="');
    expect(html).toContain('href="/ui/traces?error_type=rate_limit_error&amp;range=24h"');
    const week = await page('/ui?range=7d');
    expect(week.html).toMatch(/id="requests">34</);
  });
});

describe('sessions', () => {
  it('lists sessions with requests, models, tokens, cost and errors; filters and pages', async () => {
    const { html } = await page('/ui/sessions');
    expect(html).toContain('cc-session-1');
    expect(html).toContain('cc-session-2');
    const errors = await page('/ui/sessions?errors=true');
    expect(errors.html).toContain('cc-session-2');
    expect(errors.html).not.toContain('href="/ui/sessions/cc-session-1?key="');
    // One session a page; the pager's link leads to the other one.
    const sessionLinks = (html: string) => [...html.matchAll(/href="\/ui\/sessions\/([^"?]+)\?key="/g)].map((match) => match[1]);
    const first = await page('/ui/sessions?limit=1');
    expect(sessionLinks(first.html)).toHaveLength(1);
    const next = /href="(\/ui\/sessions\?[^"]*cursor=[^"]+)">Next page/.exec(first.html)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toContain('limit=1');
    const second = await page(next!);
    expect(sessionLinks(second.html)).toHaveLength(1);
    expect(new Set([...sessionLinks(first.html), ...sessionLinks(second.html)])).toEqual(new Set(['cc-session-1', 'cc-session-2']));
  });

  it('shows a session as a timeline, one row per request', async () => {
    const { html } = await page('/ui/sessions/cc-session-1');
    expect(html).toContain('<h1>Session cc-session-1</h1>');
    expect(html).toContain('id="session-requests">30 (0 failed)</dd>');
    const cost = session.reduce((sum, _, i) => sum + 1000 + i, 0);
    expect(html).toContain(`id="session-cost">${usd(cost)}</dd>`);
    expect(html.match(/<svg class="bar"/g)).toHaveLength(30);
    for (const row of seeded.slice(0, 30)) expect(html).toContain(`href="/ui/traces/${row.id}"`);
    expect(html).toContain('claude-cli/2.1.197 (external, cli)');
  });
});

describe('a trace', () => {
  it('shows only what is new since the previous turn, with tool calls and results paired', async () => {
    const turn = 10; // its request has 19 messages; the previous had 17
    const { html } = await page(`/ui/traces/${seeded[turn - 1]!.id}`);
    expect(html).toContain('Turn <strong>10 of 30</strong>');
    expect(html).toContain('messages 18–19 of 19');
    expect(html).toContain(`href="/ui/traces/${seeded[turn - 2]!.id}" rel="prev"`);
    expect(html).toContain(`href="/ui/traces/${seeded[turn]!.id}" rel="next"`);
    // the call made in turn 9 and its result, drawn together
    expect(html).toMatch(
      /<span class="name">Read<\/span> <span class="muted">toolu_turn_9<\/span><pre>\{\n {2}&quot;arg&quot;: &quot;step-9&quot;\n\}<\/pre><div class="result"><span class="muted">↳ result<\/span><div class="text">output of Read at step 9<\/div>/,
    );
    // the user turn that carried that result says where it went, instead of repeating it
    expect(html).toContain('tool results, shown with their calls above');
    // older turns are behind the full-history link (the raw request further down has them all)
    const conversation = html.slice(0, html.indexOf('<h2>Details</h2>'));
    expect(conversation).not.toContain('toolu_turn_3');
    expect(html).toContain('System prompt (');
    expect(html).toContain('Tools (4)');
    // the answer of this turn
    expect(html).toContain('Step 10: running Edit.');
    const full = await page(`/ui/traces/${seeded[turn - 1]!.id}?history=full`);
    const fullConversation = full.html.slice(0, full.html.indexOf('<h2>Details</h2>'));
    expect(fullConversation).toContain('toolu_turn_3');
    expect(fullConversation).toContain('Fix the failing test in src/app.ts');
  });

  it('draws images as thumbnails (raster types only) and failed and truncated traces plainly', async () => {
    const image = await page(`/ui/traces/${seeded[31]!.id}`);
    expect(image.html).toContain(`<img class="thumb" alt="attachment from the conversation" src="data:image/png;base64,${PNG}"/>`);
    expect(image.html).not.toContain('data:image/svg+xml');
    expect(image.html).toContain('[image: base64 image/svg+xml]');
    const failed = await page(`/ui/traces/${seeded[30]!.id}`);
    expect(failed.html).toContain('api.openai.com: Rate limit reached');
    expect(failed.html).toContain('href="/ui/traces?error_type=rate_limit_error"');
    const cut = await page(`/ui/traces/${seeded[32]!.id}`);
    expect(cut.html).toContain('The request body was cut to fit the row');
    expect(cut.html).toContain('(stored cut)');
  });

  it('renders hostile content as text and runs nothing', async () => {
    const { response, html } = await page(`/ui/traces/${seeded[31]!.id}`);
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(html).toContain('&lt;script&gt;alert(&quot;xss-script&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(&quot;xss-img&quot;)&gt;');
    expect(html).toContain('&lt;/textarea&gt;&lt;b&gt;bold&lt;/b&gt;');
    expect(html).not.toMatch(/<script>alert/);
    expect(html).not.toMatch(/<img[^>]*onerror/i);
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).not.toContain('<b>bold</b>');
    expect(html).not.toContain('<em>pixel</em>');
    // the only scripts are the viewer's own file
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('<script src="/ui/assets/app.js" defer=""></script>');
  });
});

describe('traces list', () => {
  it('filters by error type (the link from an error)', async () => {
    const { html } = await page('/ui/traces?error_type=rate_limit_error');
    expect(html).toContain(`href="/ui/traces/${seeded[30]!.id}"`);
    expect(html).not.toContain(`href="/ui/traces/${seeded[31]!.id}"`);
  });
});

describe('viewer auth', () => {
  it('sends a visitor without a cookie to the sign-in form', async () => {
    const { response } = await page('/ui/sessions?range=7d', {});
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/ui/login?next=%2Fui%2Fsessions%3Frange%3D7d');
  });

  it('signs in with the token posted from the form, into an HttpOnly Secure SameSite=Strict cookie', async () => {
    const body = new URLSearchParams({ token: ADMIN_TOKEN, next: '/ui/sessions' });
    const { response } = await send('/ui/login', { method: 'POST', body, headers: SAME_ORIGIN, redirect: 'manual' }, { ADMIN_TOKEN });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/ui/sessions');
    const setCookie = response.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^cp_ui=[0-9a-f-]{36}\.[\w%-]+;/);
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/ui', 'Max-Age=604800']) expect(setCookie).toContain(attribute);
    expect(setCookie).not.toContain(ADMIN_TOKEN);
    const signedIn = await page('/ui/sessions', { cookie: setCookie.split(';')[0]! });
    expect(signedIn.response.status).toBe(200);
    expect(signedIn.html).not.toContain(ADMIN_TOKEN);
  });

  it('refuses a wrong token, a tampered cookie, and a cookie signed with another token', async () => {
    const body = new URLSearchParams({ token: 'not-the-token' });
    const wrong = await send('/ui/login', { method: 'POST', body, headers: SAME_ORIGIN }, { ADMIN_TOKEN });
    expect(wrong.response.status).toBe(401);
    expect(await wrong.response.text()).toContain('That is not the admin token.');
    const [id, signature] = cookie.slice('cp_ui='.length).split('.');
    const tampered = `cp_ui=${id!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))}.${signature}`;
    expect((await page('/ui', { cookie: tampered })).response.status).toBe(303);
    expect((await page('/ui', { cookie: `cp_ui=${await issueSession(db, 'some-other-token-value-0000')}` })).response.status).toBe(303);
    expect((await page('/ui', { cookie: 'cp_ui=garbage' })).response.status).toBe(303);
    expect((await page('/ui', { cookie: `cp_ui=${await issueSession(db, ADMIN_TOKEN, now - 8 * DAY)}` })).response.status).toBe(303);
  });

  it('signs out for good: the cookie is cleared, and a copy of it taken before is refused afterwards', async () => {
    const copy = `cp_ui=${await issueSession(db, ADMIN_TOKEN)}`;
    expect((await page('/ui', { cookie: copy })).response.status).toBe(200);
    const { response } = await send('/ui/logout', { method: 'POST', headers: { ...SAME_ORIGIN, cookie: copy }, redirect: 'manual' }, { ADMIN_TOKEN });
    expect(response.status).toBe(303);
    expect(response.headers.get('set-cookie')).toMatch(/^cp_ui=; Max-Age=0;/);
    expect((await page('/ui', { cookie: copy })).response.status).toBe(303);
  });

  it('refuses a sign-out posted from another site, as it refuses such a sign-in', async () => {
    const other = `cp_ui=${await issueSession(db, ADMIN_TOKEN)}`;
    const crossSite = { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' };
    const out = await send('/ui/logout', { method: 'POST', headers: { ...crossSite, cookie: other }, redirect: 'manual' }, { ADMIN_TOKEN });
    expect(out.response.status).toBe(403);
    expect((await page('/ui', { cookie: other })).response.status).toBe(200);
    const body = new URLSearchParams({ token: ADMIN_TOKEN });
    const login = await send('/ui/login', { method: 'POST', body, headers: crossSite, redirect: 'manual' }, { ADMIN_TOKEN });
    expect(login.response.status).toBe(403);
  });

  it('keeps redirects inside the viewer, and refuses a next with a line break as a 400 naming it', async () => {
    const body = new URLSearchParams({ token: ADMIN_TOKEN, next: 'https://evil.example/' });
    const login = await send('/ui/login', { method: 'POST', body, headers: SAME_ORIGIN, redirect: 'manual' }, { ADMIN_TOKEN });
    expect(login.response.headers.get('location')).toBe('/ui');
    const injected = new URLSearchParams({ token: ADMIN_TOKEN, next: '/ui\r\nset-cookie: x=1' });
    const bad = await send('/ui/login', { method: 'POST', body: injected, headers: SAME_ORIGIN, redirect: 'manual' }, { ADMIN_TOKEN });
    expect(bad.response.status).toBe(400);
    expect(((await bad.response.json()) as { error: { message: string } }).error.message).toMatch(/^next: /);
  });

  it('says the viewer is closed when no ADMIN_TOKEN is set, and /api still takes the Bearer token', async () => {
    const closed = await page('/ui/login', {}, { ADMIN_TOKEN: undefined });
    expect(closed.html).toContain('set the ADMIN_TOKEN secret');
    const short = await page('/ui/login', {}, { ADMIN_TOKEN: 'short-token-1234' });
    expect(short.html).toContain('ADMIN_TOKEN is 16 characters long, and at least 24 are needed');
    const shortApi = await send('/api/stats', { headers: { authorization: 'Bearer short-token-1234' } }, { ADMIN_TOKEN: 'short-token-1234' });
    expect(shortApi.response.status).toBe(401);
    expect(((await shortApi.response.json()) as { error: { message: string } }).error.message).toContain('at least 24 are needed');
    const api = await send('/api/stats', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, { ADMIN_TOKEN });
    expect(api.response.status).toBe(200);
  });
});
