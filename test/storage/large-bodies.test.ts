import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonResponse, messageRequest, messageResponse } from '../fixtures/anthropic';
import { post, scriptUpstream, send, traceOf } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => upstream?.restore());

const ADMIN_TOKEN = 'admin-token-large-bodies-0001';
const client = { 'x-api-key': 'sk-ant-large-bodies-client' };
const bigRequest = (chars: number) => ({
  ...messageRequest,
  messages: [{ role: 'user', content: `${'lorem ipsum dolor sit amet '.repeat(Math.ceil(chars / 27)).slice(0, chars)}` }],
});

async function readThroughApi(id: string, overrides: Record<string, unknown>) {
  const { response } = await send(`/api/traces/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, { ADMIN_TOKEN, ...overrides });
  return (await response.json()) as { request_body: unknown; request_body_truncated: boolean; request_body_r2_key: string | null };
}

describe('large bodies', () => {
  it('go to R2, gzipped, when a bucket is bound; D1 keeps the key and size; the API returns them whole', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const overrides = { BODIES_BUCKET: env.TEST_BODIES, R2_BODY_THRESHOLD_BYTES: '10000' };
    const body = bigRequest(50_000);
    const sent = await post('/v1/messages', body, client, overrides);
    const row = await traceOf(sent);
    expect(row.requestBody).toBeNull();
    expect(row.requestBodyR2Key).toBe(`traces/${row.createdAt.toISOString().slice(0, 10).replaceAll('-', '/')}/${row.id}/request.json.gz`);
    expect(row.requestBytes).toBe(JSON.stringify(body).length);
    expect(row.requestBodyTruncated).toBe(false);
    // the small response stays in the row
    expect(row.responseBodyR2Key).toBeNull();
    expect(JSON.parse(row.responseBody!)).toEqual(messageResponse);

    const object = await env.TEST_BODIES.get(row.requestBodyR2Key!);
    expect(object!.httpMetadata?.contentEncoding).toBe('gzip');
    const compressed = await object!.arrayBuffer();
    expect(compressed.byteLength).toBeLessThan(JSON.stringify(body).length / 10);

    const viaApi = await readThroughApi(row.id, overrides);
    expect(viaApi.request_body).toEqual(body);
    expect(viaApi.request_body_r2_key).toBe(row.requestBodyR2Key);
  });

  it('are cut to fit the D1 row, and flagged, without a bucket; the API returns what was kept', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const body = bigRequest(2_600_000);
    const row = await traceOf(await post('/v1/messages', body, client));
    expect(row.requestBodyR2Key).toBeNull();
    expect(row.requestBodyTruncated).toBe(true);
    expect(row.requestBody!.length).toBeLessThan(1_900_000);
    const viaApi = await readThroughApi(row.id, {});
    expect(viaApi.request_body_truncated).toBe(true);
    expect(typeof viaApi.request_body).toBe('string');
    expect((viaApi.request_body as string).startsWith(JSON.stringify(body).slice(0, 1000))).toBe(true);
  });
});
