import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeCodeRequests, claudeCodeRequestTexts } from '../fixtures/claude-code';
import { sseResponse, streamText } from '../fixtures/anthropic';
import { chunk, openaiRoute, proxyAuth, sse, usageChunk } from '../fixtures/openai';
import { post, scriptUpstream, send, traceOf } from '../helpers/worker';
import { issueSession } from '../../src/ui/session-cookie';

/**
 * Bodies come back exactly as they were received or sent, from every read path: /api, the RPC
 * entrypoint and the viewer's raw view. Real Claude Code requests carry tool schemas full of
 * camelCase JSON Schema keywords (additionalProperties, exclusiveMinimum, maxItems…), which a
 * key-renaming walk would rewrite.
 */

const ADMIN_TOKEN = 'admin-token-exact-bodies-0123456789';
const admin = { ADMIN_TOKEN };
let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => upstream?.restore());

async function api(path: string) {
  const { response } = await send(path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, admin);
  expect(response.status).toBe(200);
  return { text: await response.clone().text(), json: (await response.json()) as Record<string, unknown> };
}

/** The body a viewer's raw view shows under a label, unescaped. */
async function viewerRaw(id: string, label: string): Promise<string> {
  const { response } = await send(`/ui/traces/${id}`, { headers: { cookie: `cp_ui=${await issueSession(drizzle(env.DB), ADMIN_TOKEN)}` } }, admin);
  expect(response.status).toBe(200);
  const html = await response.text();
  const match = new RegExp(`<summary>${label} \\([^)]*\\)</summary><pre>([\\s\\S]*?)</pre>`).exec(html);
  expect(match, `raw ${label} in the page`).not.toBeNull();
  return match![1]!.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

const CAMEL_KEYWORDS = ['additionalProperties', 'exclusiveMinimum', 'maxItems', 'maxLength'];

describe('bodies read back exactly as stored', () => {
  it('a real Claude Code request, passed through: /api, the session export, RPC and the viewer', async () => {
    const request = claudeCodeRequests[2]!;
    for (const keyword of CAMEL_KEYWORDS) expect(claudeCodeRequestTexts[2]).toContain(`"${keyword}"`);
    upstream = scriptUpstream(() => sseResponse(streamText));
    const sessionId = `exact-${crypto.randomUUID()}`;
    const sent = await post('/v1/messages', claudeCodeRequestTexts[2]!, { 'x-api-key': 'sk-ant-client-exact-000', 'x-claude-code-session-id': sessionId });
    expect(sent.response.status).toBe(200);
    const row = await traceOf(sent);
    const answer = JSON.parse(row.responseBody!);

    const single = await api(`/api/traces/${row.id}`);
    expect(single.json.request_body).toEqual(request);
    expect(single.json.response_body).toEqual(answer);
    expect(single.text).toContain(claudeCodeRequestTexts[2]!); // the very text, not a re-serialisation
    expect(single.json.session_id).toBe(sessionId); // the row's own fields are snake_case

    const exported = await api(`/api/sessions/${sessionId}?bodies=true`);
    const [exportedTrace] = exported.json.traces as Record<string, unknown>[];
    expect(exportedTrace!.request_body).toEqual(request);
    expect(exportedTrace!.response_body).toEqual(answer);

    const viaRpc = await env.CLAUDE_PROXY.getTrace(row.id);
    expect(viaRpc!.requestBody).toEqual(request);
    expect(viaRpc!.responseBody).toEqual(answer);
    const sessionViaRpc = await env.CLAUDE_PROXY.getSession(sessionId, { bodies: true });
    expect((sessionViaRpc!.traces[0] as { requestBody: unknown }).requestBody).toEqual(request);

    expect(JSON.parse(await viewerRaw(row.id, 'Request'))).toEqual(request);
    expect(JSON.parse(await viewerRaw(row.id, 'Response'))).toEqual(answer);
  });

  it('a translated request: the body the target received, exactly', async () => {
    upstream = scriptUpstream(
      () => new Response(sse([chunk({ content: 'ok' }), chunk({}, 'stop'), usageChunk(10, 2)]), { headers: { 'content-type': 'text/event-stream' } }),
    );
    const sent = await post('/v1/messages', claudeCodeRequestTexts[1]!, proxyAuth, openaiRoute());
    expect(sent.response.status).toBe(200);
    const row = await traceOf(sent);
    const received = JSON.parse(upstream.calls[0]!.body);
    const single = await api(`/api/traces/${row.id}`);
    expect(single.json.request_body).toEqual(claudeCodeRequests[1]);
    expect(single.json.upstream_request_body).toEqual(received);
    expect((await env.CLAUDE_PROXY.getTrace(row.id))!.upstreamRequestBody).toEqual(received);
    expect(JSON.parse(await viewerRaw(row.id, 'Translated upstream request'))).toEqual(received);
  });

  it('a body nesting 100,000 levels reads back as 200 from every endpoint', async () => {
    const depth = 100_000;
    const deep = `${'['.repeat(depth)}"bottom"${']'.repeat(depth)}`;
    const text = `{"model":"claude-sonnet-4-6","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"metadata":{"deep":${deep}}}`;
    upstream = scriptUpstream(() => sseResponse(streamText));
    const sessionId = `deep-${crypto.randomUUID()}`;
    const sent = await post('/v1/messages', text, { 'x-api-key': 'sk-ant-client-deep-000', 'x-claude-code-session-id': sessionId });
    expect(sent.response.status).toBe(200);
    const row = await traceOf(sent);
    expect(row.requestBody).toBe(text);

    expect((await api(`/api/traces/${row.id}`)).text).toContain(deep);
    expect((await api(`/api/sessions/${sessionId}?bodies=true`)).text).toContain(deep);
    expect((await api(`/api/sessions/${sessionId}`)).json.session).toMatchObject({ requests: 1 });
    // RPC copies results with a recursive serialiser: a body this deep comes back as its text.
    expect((await env.CLAUDE_PROXY.getTrace(row.id))!.requestBody).toBe(text);
    expect(((await env.CLAUDE_PROXY.getSession(sessionId, { bodies: true }))!.traces[0] as { requestBody: unknown }).requestBody).toBe(text);
    const raw = await viewerRaw(row.id, 'Request');
    expect(raw.replace(/\s+/g, '')).toBe(text);
  });
});
