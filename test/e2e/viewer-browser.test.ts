import { existsSync, mkdirSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeCodeSession } from '../fixtures/session';
import { startProxy, startUpstream, type RecordedRequest } from './harness';

/**
 * The trace viewer in a real browser (Debian's chromium driven by playwright-core): sign in,
 * overview, a session, a trace; no console errors (a CSP violation would be one); screenshots
 * under test/screenshots/ for a person to look at.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`viewer browser test skipped: no chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

const ADMIN_TOKEN = 'browser-test-admin-token-0123456789';
const SHOTS = 'test/screenshots';
const session = claudeCodeSession(12);
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAKklEQVR42mNkYPhfz0AEYBxVSF+FjAwM/xkYGBiYiFXIOKqQvgoZGRgYAABHsAkRzFHR5QAAAABJRU5ErkJggg==';

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let browser: Browser;

/** The scripted Anthropic upstream answers each turn of the synthetic session, streamed. */
async function answer(req: RecordedRequest, res: ServerResponse) {
  const body = JSON.parse(req.body) as { messages: unknown[]; stream?: boolean };
  if (JSON.stringify(body.messages).includes('[fail]')) {
    res.writeHead(529, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
    return;
  }
  const turn = session.find((candidate) => JSON.stringify(candidate.request.messages) === JSON.stringify(body.messages));
  const message = turn?.response ?? {
    id: 'msg_x',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-6',
    content: [{ type: 'text', text: 'A small orange square.' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 900, output_tokens: 8 },
  };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(message));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const events: object[] = [
    { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...(message.usage as object), output_tokens: 1 } } },
  ];
  (message.content as object[]).forEach((block, index) => {
    const start = (block as { type: string }).type === 'tool_use' ? { ...block, input: {} } : { type: 'text', text: '' };
    events.push({ type: 'content_block_start', index, content_block: start });
    events.push(
      (block as { type: string }).type === 'tool_use'
        ? { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify((block as { input: unknown }).input) } }
        : { type: 'content_block_delta', index, delta: { type: 'text_delta', text: (block as { text: string }).text } },
    );
    events.push({ type: 'content_block_stop', index });
  });
  events.push({ type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: message.usage }, { type: 'message_stop' });
  for (const event of events) res.write(`event: ${(event as { type: string }).type}\ndata: ${JSON.stringify(event)}\n\n`);
  res.end();
}

async function post(body: object, sessionId?: string) {
  const response = await fetch(`${proxy.url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': 'sk-ant-browser-client-key',
      'user-agent': 'claude-cli/2.1.197 (external, cli)',
      ...(sessionId ? { 'x-claude-code-session-id': sessionId } : {}),
    },
    body: JSON.stringify(body),
  });
  await response.text();
}

beforeAll(async () => {
  if (!hasChromium) return;
  mkdirSync(SHOTS, { recursive: true });
  upstream = await startUpstream(answer);
  proxy = await startProxy(
    { ROUTES: JSON.stringify([{ match: '*', provider: 'anthropic', baseUrl: upstream.url, apiKey: 'client', retries: 0 }]) },
    { ADMIN_TOKEN },
  );
  for (const turn of session) await post(turn.request, 'browser-session-1');
  await post({ model: 'claude-opus-4-8', max_tokens: 100, messages: [{ role: 'user', content: 'please [fail]' }] }, 'browser-session-2');
  await post(
    {
      model: 'claude-opus-4-8',
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this? <script>alert("x")</script>' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          ],
        },
      ],
    },
    'browser-session-2',
  );
  await new Promise((resolve) => setTimeout(resolve, 500)); // trace writes land in waitUntil
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await upstream?.close();
});

function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

describe.skipIf(!hasChromium)('the trace viewer in chromium', () => {
  it('signs in, then shows the overview, a session and a trace, with no console errors', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'America/New_York' });
    const page = await context.newPage();
    const problems = watchConsole(page);

    await page.goto(`${proxy.url}/ui`);
    expect(new URL(page.url()).pathname).toBe('/ui/login');
    await page.fill('#token', ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`${proxy.url}/ui`), page.click('button[type=submit]')]);
    expect(page.url()).not.toContain(ADMIN_TOKEN);
    const cookies = await context.cookies();
    expect(cookies.find((cookie) => cookie.name === 'cp_ui')).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/ui' });

    // overview
    expect(await page.textContent('#requests')).toBe('14');
    expect(await page.locator('svg.chart').count()).toBe(2);
    // times shown in the viewer's zone by the page script
    const shown = await page.locator('time').first().textContent();
    const iso = await page.locator('time').first().getAttribute('datetime');
    const local = new Date(iso!).toLocaleString('sv-SE', { timeZone: 'America/New_York' }).slice(0, 16);
    expect(shown).toBe(local);
    await page.screenshot({ path: `${SHOTS}/overview.png`, fullPage: true });

    // a session
    await page.click('text=Sessions');
    await page.click('a[href="/ui/sessions/browser-session-1?key="]');
    expect(await page.textContent('#session-requests')).toBe('12 (0 failed)');
    expect(await page.locator('svg.bar').count()).toBe(12);
    await page.screenshot({ path: `${SHOTS}/session.png`, fullPage: true });

    // its 6th turn: only what is new, tool call and result together
    await page.click('tbody tr:nth-child(6) a');
    expect(await page.textContent('h1')).toContain('claude-sonnet-4-6');
    await expect(page.locator('p.notice').first().textContent()).resolves.toContain('new since the previous turn');
    expect(await page.locator('.tool').count()).toBeGreaterThan(0);
    await page.click('text=Raw');
    await page.screenshot({ path: `${SHOTS}/trace.png`, fullPage: true });
    await page.click('a[rel=next]');
    expect(await page.textContent('h1')).toContain('claude-sonnet-4-6');

    // the error link, then the image trace with hostile text
    await page.goto(`${proxy.url}/ui/traces?error_type=overloaded_error`);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.goto(`${proxy.url}/ui/sessions/browser-session-2`);
    await page.click('tbody tr:nth-child(2) a');
    expect(await page.locator('img.thumb').count()).toBe(1);
    expect(await page.locator('img.thumb').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(16);
    expect(await page.textContent('.message.user')).toContain('<script>alert("x")</script>');
    await page.screenshot({ path: `${SHOTS}/trace-image.png`, fullPage: true });

    // sign out
    await page.click('text=Sign out');
    expect(new URL(page.url()).pathname).toBe('/ui/login');
    await page.goto(`${proxy.url}/ui`);
    expect(new URL(page.url()).pathname).toBe('/ui/login');

    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('fits a phone screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${proxy.url}/ui/login`);
    await page.fill('#token', ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`${proxy.url}/ui`), page.click('button[type=submit]')]);
    // the page itself does not scroll sideways; wide tables scroll inside their box
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/overview-phone.png`, fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('opens a 200-turn session of 80 KB requests, and one of its traces (timings printed)', async () => {
    const filler = 'The quick brown fox jumps over the lazy dog. '.repeat(1800); // ~80 KB
    const start = Date.now() - 3_600_000;
    const rows = Array.from({ length: 200 }, (_, i) => i);
    let previousId = '';
    for (const i of rows) {
      const id = `01BIG${String(i).padStart(21, '0')}`;
      const body = JSON.stringify({
        model: 'claude-sonnet-4-6',
        max_tokens: 32000,
        system: filler,
        messages: Array.from({ length: i + 1 }, (_, k) => ({ role: k % 2 ? 'assistant' : 'user', content: `turn ${k}` })),
      });
      await proxy.query(
        "INSERT INTO traces (id, created_at, session_id, method, path, requested_model, target_model, provider, status, end_reason, request_body, request_bytes, duration_ms, ttft_ms, input_tokens, output_tokens, cost_micros) VALUES (?, ?, 'big-session', 'POST', '/v1/messages', 'claude-sonnet-4-6', 'claude-sonnet-4-6', 'anthropic', 200, 'complete', ?, ?, ?, 200, 20000, 300, 2000)",
        id,
        start + i * 1000,
        body,
        body.length,
        500 + (i % 17) * 40,
      );
      previousId = id;
    }
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${proxy.url}/ui/login`);
    await page.fill('#token', ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`${proxy.url}/ui`), page.click('button[type=submit]')]);
    const timings: Record<string, number> = {};
    for (const [name, path] of [
      ['session page, 200 turns', '/ui/sessions/big-session'],
      ['trace page, turn 200 (80 KB request, diff against turn 199)', `/ui/traces/${previousId}`],
      ['overview, 24h', '/ui'],
    ] as const) {
      const began = performance.now();
      await page.goto(`${proxy.url}${path}`, { waitUntil: 'load' });
      timings[name] = Math.round(performance.now() - began);
    }
    expect(await page.locator('#requests').textContent()).toBeTruthy();
    await page.goto(`${proxy.url}/ui/sessions/big-session`);
    expect(await page.locator('svg.bar').count()).toBe(200);
    console.log(`viewer page load times (ms, local, incl. server render): ${JSON.stringify(timings)}`);
    await context.close();
  }, 120_000);
});
