import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq, inArray } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { forgetConversations } from '../../src/storage/conversations';
import { forgetStoredPieces } from '../../src/storage/pieces';
import app from '../../src/index';
import { keySpend, spendReceipts, traces } from '../../src/storage/schema';
import { spendPeriods } from '../../src/storage/spend';
import { QUEUE_MESSAGE_BYTES } from '../../src/storage/trace-write';
import { jsonResponse, messageRequest, messageResponse } from '../fixtures/anthropic';
import { post, scriptUpstream } from '../helpers/worker';
import { getTrace } from '../../src/storage/queries';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
// Each test is a fresh isolate: turns queued by another test (and never delivered) are not built on.
beforeEach(() => {
  forgetConversations();
  forgetStoredPieces();
});
afterEach(() => {
  upstream?.restore();
  upstream = undefined;
  vi.restoreAllMocks();
});

const QUEUE = 'claude-proxy-traces';
const DEAD_LETTERS = 'claude-proxy-traces-dlq';
const SERVER_KEY = 'sk-ant-server-key-queue-tests-0001';
/** 100k input + 10k output tokens of claude-sonnet-4-6 at $3/$15 per Mtok: $0.45. */
const costlyAnswer = { ...messageResponse, usage: { input_tokens: 100_000, output_tokens: 10_000 } };
const COSTLY_MICROS = 450_000;

/** A Queues producer binding that keeps what it is sent. */
function capturingQueue() {
  const sent: { body: string; contentType: string | undefined }[] = [];
  const queue = {
    async send(body: string, options?: QueueSendOptions) {
      sent.push({ body, contentType: options?.contentType });
    },
    async sendBatch() {
      throw new Error('not used');
    },
  };
  return { queue: queue as unknown as Queue<string>, sent };
}

/** env.DB with its calls counted, and batches that fail while `failing` says so (for a statement matching it, or all). */
function watchedD1() {
  const state = { batches: 0, failing: null as null | RegExp | 'all' };
  const d1 = {
    prepare: (sql: string) => env.DB.prepare(sql),
    batch(statements: D1PreparedStatement[]) {
      state.batches++;
      const failing = state.failing;
      if (failing === 'all') return Promise.reject(new Error('D1_ERROR: Network connection lost.'));
      if (failing && statements.some((s) => failing.test(JSON.stringify((s as unknown as { params?: unknown }).params ?? ''))))
        return Promise.reject(new Error('D1_ERROR: SQLITE_CONSTRAINT: bad row'));
      return env.DB.batch(statements);
    },
  };
  return { d1, state };
}

function settings(queue: Queue<string> | undefined, extra: Record<string, unknown> = {}) {
  return {
    ROUTES: [{ match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'ANTHROPIC_API_KEY', retries: 0 }],
    ANTHROPIC_API_KEY: SERVER_KEY,
    PROXY_API_KEYS:
      'queue-a:queue-proxy-key-000a,queue-b:queue-proxy-key-000b,queue-c:queue-proxy-key-000c,queue-d:queue-proxy-key-000d,queue-e:queue-proxy-key-000e',
    TRACE_QUEUE: queue,
    ...extra,
  };
}

/** Sends `count` requests with a queue bound; returns the messages the requests sent and their trace ids. */
async function requestsThroughQueue(count: number, proxyKey: string, extra: Record<string, unknown> = {}) {
  upstream ??= scriptUpstream(() => jsonResponse(costlyAnswer));
  const { queue, sent } = capturingQueue();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const request = await post(
      '/v1/messages',
      { ...messageRequest, metadata: { user_id: `queue-test-${i}` } },
      { 'x-api-key': proxyKey },
      settings(queue, extra),
    );
    expect(request.response.status).toBe(200);
    await request.response.arrayBuffer();
    await waitOnExecutionContext(request.ctx);
    ids.push(request.traceId!);
  }
  return { sent, ids };
}

/** Delivers messages to the worker's queue handler as Queues would; returns what it acked and retried. */
async function deliver(queueName: string, bodies: unknown[], overrides: Record<string, unknown> = {}, attempts = 1) {
  const batch = createMessageBatch(
    queueName,
    bodies.map((body, i) => ({ id: `msg-${i}-${Math.random().toString(36).slice(2)}`, timestamp: Date.now(), attempts, body })),
  );
  // The delay each retry asked for, by message id.
  const delays: Record<string, number | undefined> = {};
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (options?: QueueRetryOptions) => {
      delays[message.id] = options?.delaySeconds;
      retry(options);
    };
  }
  const ctx = createExecutionContext();
  await app.queue(batch, { ...env, ...overrides } as never);
  return { batch, delays, result: await getQueueResult(batch, ctx) };
}

const db = () => drizzle(env.DB);
const storedIds = async (ids: string[]) => (await db().select({ id: traces.id }).from(traces).where(inArray(traces.id, ids))).map((r) => r.id).sort();
async function spendOf(name: string) {
  const { day } = spendPeriods(Date.now());
  const rows = await db().select().from(keySpend).where(eq(keySpend.apiKeyName, name));
  return rows.find((r) => r.period === day) ?? null;
}

describe('TRACE_QUEUE: the request side', () => {
  it('sends one scrubbed, priced write per request instead of writing, and still logs the request line', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    const secretPrompt = { ...messageRequest, messages: [{ role: 'user', content: `keep ${SERVER_KEY} and queue-proxy-key-000a safe` }] };
    upstream = scriptUpstream(() => jsonResponse(costlyAnswer));
    const { queue, sent } = capturingQueue();
    const request = await post('/v1/messages', secretPrompt, { 'x-api-key': 'queue-proxy-key-000a' }, settings(queue, { LOG_REQUESTS: 'on' }));
    await request.response.arrayBuffer();
    await waitOnExecutionContext(request.ctx);

    expect(sent).toHaveLength(1);
    expect(sent[0]!.contentType).toBe('text');
    // Nothing written yet: the consumer writes it.
    expect(await storedIds([request.traceId!])).toEqual([]);
    const message = JSON.parse(sent[0]!.body);
    expect(Object.keys(message).sort()).toEqual(['day', 'id', 'pieces', 'row', 'spend', 'touched']);
    // The body pieces the row needs come along (its frame here), until D1 is seen to hold them.
    expect(message.pieces.map((piece: { kind: string }) => piece.kind)).toContain('frame');
    expect(message.row.requestFrame).toEqual(expect.any(String));
    expect(message.id).toBe(request.traceId);
    expect(message.row).toMatchObject({ id: request.traceId, status: 200, costMicros: COSTLY_MICROS, apiKeyName: 'queue-a', createdAt: expect.any(Number) });
    expect(message.spend).toEqual({ keyName: 'queue-a', costMicros: COSTLY_MICROS, at: message.row.createdAt });
    // No credential of the client's or the configuration's travels through the queue.
    expect(sent[0]!.body).not.toContain(SERVER_KEY);
    expect(sent[0]!.body).not.toContain('queue-proxy-key-000a');
    expect(sent[0]!.body).toContain('[redacted]');
    expect(lines.map((line) => JSON.parse(line))).toContainEqual(expect.objectContaining({ event: 'request', trace_id: request.traceId, stored: true }));
  });

  it('writes directly what does not fit a queue message, and what the queue refuses', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const { queue, sent } = capturingQueue();
    // Random text: gzipped, it is still larger than a queue message.
    let noise = '';
    for (let i = 0; i < QUEUE_MESSAGE_BYTES * 1.5; i += 8192) noise += btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(8192))));
    const huge = { ...messageRequest, messages: [{ role: 'user', content: noise }] };
    const large = await post('/v1/messages', huge, { 'x-api-key': 'queue-proxy-key-000a' }, settings(queue));
    await large.response.arrayBuffer();
    await waitOnExecutionContext(large.ctx);
    expect(sent).toHaveLength(0);
    expect(await storedIds([large.traceId!])).toEqual([large.traceId]);

    const warnings: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((line: unknown) => void warnings.push(String(line)));
    const refusing = { send: () => Promise.reject(new Error('Queue send failed: queue is full')) } as unknown as Queue<string>;
    const refused = await post('/v1/messages', messageRequest, { 'x-api-key': 'queue-proxy-key-000a' }, settings(refusing));
    await refused.response.arrayBuffer();
    await waitOnExecutionContext(refused.ctx);
    expect(await storedIds([refused.traceId!])).toEqual([refused.traceId]);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ event: 'trace_queue_send_failed', trace_id: refused.traceId });
  });
});

describe('TRACE_QUEUE: a real queue', () => {
  it('carries a request’s write to this worker’s consumer, which stores it', async () => {
    upstream = scriptUpstream(() => jsonResponse(costlyAnswer));
    const request = await post('/v1/messages', messageRequest, { 'x-api-key': 'queue-proxy-key-000a' }, settings(env.TEST_TRACE_QUEUE));
    expect(request.response.status).toBe(200);
    await request.response.arrayBuffer();
    await waitOnExecutionContext(request.ctx);
    await vi.waitFor(async () => expect(await storedIds([request.traceId!])).toEqual([request.traceId]), { timeout: 5_000, interval: 50 });
  });
});

describe('TRACE_QUEUE: the consumer', () => {
  it('writes a batch of 100 in one D1 batch, spend included', async () => {
    const { sent, ids } = await requestsThroughQueue(100, 'queue-proxy-key-000b');
    const { d1, state } = watchedD1();
    const { result } = await deliver(
      QUEUE,
      sent.map((m) => m.body),
      { DB: d1 },
    );
    expect(result.ackAll || result.explicitAcks.length === 100).toBe(true);
    expect(result.retryMessages).toEqual([]);
    expect(state.batches).toBe(1);
    expect(await storedIds(ids)).toEqual([...ids].sort());
    expect(await spendOf('queue-b')).toMatchObject({ costMicros: 100 * COSTLY_MICROS, requests: 100 });
  });

  it('stores and counts a write delivered twice once, in the same batch or a later one', async () => {
    const { sent, ids } = await requestsThroughQueue(3, 'queue-proxy-key-000c');
    const bodies = sent.map((m) => m.body);
    await deliver(QUEUE, [...bodies, bodies[0]]);
    await deliver(QUEUE, bodies);
    expect(await storedIds(ids)).toEqual([...ids].sort());
    expect(await spendOf('queue-c')).toMatchObject({ costMicros: 3 * COSTLY_MICROS, requests: 3 });
  });

  it('counts the spend of an untraced request (TRACING=off) once when it is delivered twice', async () => {
    const { sent, ids } = await requestsThroughQueue(2, 'queue-proxy-key-000d', { TRACING: 'off' });
    expect(sent.map((m) => JSON.parse(m.body).row)).toEqual([null, null]);
    await deliver(
      QUEUE,
      sent.map((m) => m.body),
    );
    await deliver(QUEUE, [sent[1]!.body, sent[0]!.body, sent[1]!.body]);
    expect(await storedIds(ids)).toEqual([]);
    expect(await spendOf('queue-d')).toMatchObject({ costMicros: 2 * COSTLY_MICROS, requests: 2 });
    const receipts = await db().select().from(spendReceipts).where(inArray(spendReceipts.traceId, ids));
    expect(receipts.map((r) => r.traceId).sort()).toEqual([...ids].sort());
  });

  it('retries the writes of a failed batch that fail on their own, and acks the others', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const { sent, ids } = await requestsThroughQueue(4, 'queue-proxy-key-000a');
    const { d1, state } = watchedD1();
    // One write D1 refuses (as a row that breaks a constraint would be): its batch fails. Its own
    // row only: the next request continues it (history_trace_id names it) and is stored regardless.
    state.failing = new RegExp(`^\\["${ids[2]!}"`);
    const { batch, delays, result } = await deliver(
      QUEUE,
      sent.map((m) => m.body),
      { DB: d1 },
      2,
    );
    expect(result.ackAll).toBe(false);
    expect(result.retryBatch.retry).toBe(false);
    const poison = batch.messages[2]!.id;
    expect(result.retryMessages.map((m) => m.msgId)).toEqual([poison]);
    // Its second failure: retried 20 s later (10 s, 20 s, 40 s… up to 5 minutes).
    expect(delays).toEqual({ [poison]: 20 });
    expect(result.explicitAcks.sort()).toEqual(
      batch.messages
        .filter((m) => m.id !== poison)
        .map((m) => m.id)
        .sort(),
    );
    expect(await storedIds(ids)).toEqual([ids[0], ids[1], ids[3]].sort());

    // D1 down: every write is retried, none is lost.
    state.failing = 'all';
    const down = await deliver(QUEUE, [sent[2]!.body], { DB: d1 });
    expect(down.result.retryMessages.map((m) => m.msgId)).toEqual([down.batch.messages[0]!.id]);
    expect(down.delays).toEqual({ [down.batch.messages[0]!.id]: 10 });
    expect(down.result.explicitAcks).toEqual([]);

    // Once D1 takes it, the retried write lands.
    state.failing = null;
    const later = await deliver(QUEUE, [sent[2]!.body], { DB: d1 }, 3);
    expect(later.result.explicitAcks.length + (later.result.ackAll ? 1 : 0)).toBeGreaterThan(0);
    expect(await storedIds(ids)).toEqual([...ids].sort());
  });

  it('writes dead letters once more, and logs the ones D1 still refuses', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const { sent, ids } = await requestsThroughQueue(2, 'queue-proxy-key-000a');
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { d1, state } = watchedD1();
    state.failing = new RegExp(`^\\["${ids[1]!}"`);
    const { batch, result } = await deliver(
      DEAD_LETTERS,
      sent.map((m) => m.body),
      { DB: d1 },
    );
    // Dead letters are never retried: written, or logged, and acked either way.
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks.sort()).toEqual(batch.messages.map((m) => m.id).sort());
    expect(await storedIds(ids)).toEqual([ids[0]]);
    const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.event === 'trace_write_failed');
    expect(logged).toMatchObject({ level: 'error', trace_id: ids[1], queue: DEAD_LETTERS, trace: { id: ids[1], status: 200 } });
  });

  it('counts the spend of a dead letter whose row D1 refuses, once, and not again when its row comes', async () => {
    upstream = scriptUpstream(() => jsonResponse(costlyAnswer));
    const { sent, ids } = await requestsThroughQueue(1, 'queue-proxy-key-000e');
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { d1, state } = watchedD1();
    // The trace row is refused (its insert's parameters begin with its id); the spend on its own is not.
    state.failing = new RegExp(`^\\["${ids[0]!}",`);
    const refused = await deliver(DEAD_LETTERS, [sent[0]!.body], { DB: d1 });
    expect(refused.result.explicitAcks).toEqual([refused.batch.messages[0]!.id]);
    expect(await storedIds(ids)).toEqual([]);
    expect(await spendOf('queue-e')).toMatchObject({ costMicros: COSTLY_MICROS, requests: 1 });
    expect(lines.map((line) => JSON.parse(line)).find((entry) => entry.event === 'trace_write_failed')).toMatchObject({
      trace_id: ids[0],
      spend_written: true,
    });

    // Delivered again, and D1 takes the row now: stored, and its cost not counted a second time.
    state.failing = null;
    await deliver(DEAD_LETTERS, [sent[0]!.body], { DB: d1 });
    expect(await storedIds(ids)).toEqual(ids);
    expect(await spendOf('queue-e')).toMatchObject({ costMicros: COSTLY_MICROS, requests: 1 });
  });

  it('stores a turn that arrives before the turn it continues; both read back whole once both are in', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const { sent, ids } = await requestsThroughQueue(2, 'queue-proxy-key-000a');
    const [first, second] = sent.map((message) => JSON.parse(message.body));
    // The second request was built on the first while it was still in the queue.
    expect(second.row.historyTraceId).toBe(ids[0]);
    await deliver(QUEUE, [sent[1]!.body]);
    await deliver(QUEUE, [sent[0]!.body]);
    expect(await storedIds(ids)).toEqual([...ids].sort());
    for (const [i, id] of ids.entries()) {
      const request = { ...messageRequest, metadata: { user_id: `queue-test-${i}` } };
      expect((await getTrace(db(), id))!.requestBody).toBe(JSON.stringify(request));
    }
    expect(first.row.historyTraceId ?? null).toBeNull();
  });

  it('lets go of a message that is not a prepared write, and writes the rest', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const { sent, ids } = await requestsThroughQueue(1, 'queue-proxy-key-000a');
    vi.spyOn(console, 'error').mockImplementation(() => {});
    // Not base64 where gzipped text should be: not a message this worker wrote.
    const badPiece = { hash: 'h', kind: 'message', chars: 1, createdAt: 1, lastDay: '2026-01-01', gzip: '%%%' };
    const foreign = { id: 'p1', row: null, spend: { keyName: 'queue-a', costMicros: 1, at: Date.now() }, pieces: [badPiece], touched: [], day: null };
    const { batch, result } = await deliver(QUEUE, ['not json', { id: 'x', row: null, spend: null }, JSON.stringify(foreign), sent[0]!.body]);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks.sort()).toEqual(batch.messages.map((m) => m.id).sort());
    expect(await storedIds(ids)).toEqual(ids);
  });
});
