import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonResponse, messageRequest, messageResponse } from '../fixtures/anthropic';
import { drizzle } from 'drizzle-orm/d1';
import { eq } from 'drizzle-orm';
import { bodyPieces } from '../../src/storage/schema';
import { post, scriptUpstream, send, storedRowOf, traceOf } from '../helpers/worker';

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
  it('go to R2, gzipped, when a bucket is bound: a message past the threshold is a piece there; the API returns it whole', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const overrides = { BODIES_BUCKET: env.TEST_BODIES, R2_BODY_THRESHOLD_BYTES: '10000' };
    const body = bigRequest(50_000);
    const sent = await post('/v1/messages', body, client, overrides);
    const read = await traceOf(sent, env.TEST_BODIES);
    expect(read.requestBody).toBe(JSON.stringify(body));
    const row = await storedRowOf(read.id);
    expect(row.requestBody).toBeNull();
    expect(row.requestBytes).toBe(JSON.stringify(body).length);
    expect(row.requestBodyTruncated).toBe(false);
    // The row names the message's piece; the piece's row names its object in R2.
    const [, hash] = /^\["\\u0000piece:([\w-]{22})"\]$/.exec(row.newMessages!)!;
    const piece = await drizzle(env.DB).select().from(bodyPieces).where(eq(bodyPieces.hash, hash!)).get();
    expect(piece).toMatchObject({ kind: 'message', json: null, gzip: null, r2Key: `pieces/${hash}.json.gz`, chars: JSON.stringify(body.messages[0]).length });
    // the small response stays in the row
    expect(row.responseBodyR2Key).toBeNull();
    expect(JSON.parse(row.responseBody!)).toEqual(messageResponse);

    const object = await env.TEST_BODIES.get(piece!.r2Key!);
    expect(object!.httpMetadata?.contentEncoding).toBe('gzip');
    const compressed = await object!.arrayBuffer();
    expect(compressed.byteLength).toBeLessThan(JSON.stringify(body).length / 10);

    const viaApi = await readThroughApi(row.id, overrides);
    expect(viaApi.request_body).toEqual(body);
  });

  it('stay whole without a bucket when they compress into a D1 row: a 2.6 MB message is one gzipped piece', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const body = bigRequest(2_600_000);
    const read = await traceOf(await post('/v1/messages', body, client));
    const row = await storedRowOf(read.id);
    expect(row.requestBodyTruncated).toBe(false);
    const [, hash] = /^\["\\u0000piece:([\w-]{22})"\]$/.exec(row.newMessages!)!;
    const piece = await drizzle(env.DB).select().from(bodyPieces).where(eq(bodyPieces.hash, hash!)).get();
    expect(piece!.gzip!.byteLength).toBeLessThan(100_000);
    expect((await readThroughApi(row.id, {})).request_body).toEqual(body);
  });

  it('are cut to fit the D1 row, and flagged, without a bucket, when even gzipped they do not fit; the API returns what was kept', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    // Random text: gzip leaves it at three quarters of its size, past a row's 2 MB.
    let noise = '';
    for (let i = 0; i < 2_100_000; i += 8192) noise += btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(8192))));
    const body = { ...messageRequest, messages: [{ role: 'user', content: noise }] };
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
