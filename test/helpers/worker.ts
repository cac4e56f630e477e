import { readBodies } from '../../src/storage/body-read';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { vi } from 'vitest';
import { loadPieces } from '../../src/storage/pieces';
import { bodyPieces, traces, type Trace } from '../../src/storage/schema';
import app from '../../src/index';

/** The proxy as `npm run dev` serves it: on loopback, where it needs no PROXY_API_KEYS. */
export const PROXY = 'http://localhost';

export type TestEnv = typeof env & Record<string, unknown>;

const isolateEnvs = new WeakSet<object>();

/**
 * One env for several requests, as the runtime hands every request of an isolate the same one:
 * what the worker keeps per isolate (its parsed config, routing's cool-downs) carries over
 * between the requests sent with it. Other overrides make a fresh env, hence a fresh isolate's view.
 */
export function isolateEnv(overrides: Record<string, unknown> = {}): TestEnv {
  const merged = { ...env, ...overrides } as TestEnv;
  isolateEnvs.add(merged);
  return merged;
}

/** Sends one request to the worker's fetch handler with env overrides; returns the response and its context. */
export async function send(path: string, init: RequestInit = {}, overrides: Record<string, unknown> = {}) {
  const ctx = createExecutionContext();
  const request = new Request(PROXY + path, init);
  const response = await app.fetch(request, isolateEnvs.has(overrides) ? (overrides as TestEnv) : ({ ...env, ...overrides } as TestEnv), ctx);
  return { response, ctx, traceId: response.headers.get('x-trace-id') };
}

/** POSTs a JSON body to the worker. */
export function post(path: string, body: unknown, headers: Record<string, string> = {}, overrides: Record<string, unknown> = {}) {
  return send(
    path,
    { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) },
    overrides,
  );
}

/**
 * Waits for the request's waitUntil work (the trace write) and returns its row. A body nobody
 * read is drained first, as the runtime would: the trace is written when the body has ended.
 */
export async function traceOf(sent: { response: Response; ctx: ExecutionContext; traceId: string | null }, bucket?: R2Bucket): Promise<Trace> {
  const { response, ctx, traceId: id } = sent;
  if (!response.bodyUsed) await response.arrayBuffer();
  await waitOnExecutionContext(ctx);
  if (!id) throw new Error('response had no x-trace-id');
  const rows = await drizzle(env.DB).select().from(traces).where(eq(traces.id, id));
  if (rows.length !== 1) throw new Error(`expected one trace row for ${id}, found ${rows.length}`);
  // Bodies as every reader gets them: put back together from how they are stored.
  await readBodies(drizzle(env.DB), rows, bucket);
  return rows[0]!;
}

/** A trace's row as stored: bodies in body format 1 are frame + history + news, not whole. */
export async function storedRowOf(id: string): Promise<Trace> {
  const row = await drizzle(env.DB).select().from(traces).where(eq(traces.id, id)).get();
  if (!row) throw new Error(`no trace row ${id}`);
  return row;
}

/** Every stored piece's text (gzipped ones decompressed): what D1 holds besides the trace rows. */
export async function allPieceTexts(): Promise<Map<string, string>> {
  const hashes = (await drizzle(env.DB).select({ hash: bodyPieces.hash }).from(bodyPieces)).map((row) => row.hash);
  const texts = await loadPieces(drizzle(env.DB), hashes);
  if (texts.size !== hashes.length) throw new Error(`read ${texts.size} of ${hashes.length} pieces`);
  return texts;
}

export async function allTraces(): Promise<Trace[]> {
  const rows = await drizzle(env.DB).select().from(traces).orderBy(traces.id);
  await readBodies(drizzle(env.DB), rows);
  return rows;
}

export interface UpstreamCall {
  url: string;
  method: string;
  headers: Headers;
  body: string;
  signal: AbortSignal | null;
}

/**
 * Replaces fetch() for the isolate (the worker runs in the test's isolate) with a scripted
 * upstream; records every call the proxy makes.
 */
export function scriptUpstream(handler: (request: Request, call: UpstreamCall) => Response | Promise<Response>) {
  const calls: UpstreamCall[] = [];
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const call: UpstreamCall = {
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: new TextDecoder().decode(await request.clone().arrayBuffer()),
      signal: init?.signal ?? null,
    };
    calls.push(call);
    return overConnection(await handler(request, call));
  });
  return { calls, restore: () => spy.mockRestore() };
}

/**
 * An event stream as a fetch would hand it over: its body sent through another Worker and back
 * (TEST_STREAMER's /echo), so that it is the runtime's own byte stream, which the proxy pipes
 * natively (a stream made in JavaScript, or from a string, is not one). Chunks keep their timing;
 * a body that breaks breaks the echo; a reader that lets go lets go of the body.
 */
async function overConnection(response: Response): Promise<Response> {
  if (!response.body || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) return response;
  if (response.headers.has('x-test-streamer')) return response; // already over a connection
  const id = crypto.randomUUID();
  const reader = response.body.getReader();
  const upload = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        await env.TEST_STREAMER.fetch(`http://streamer/echo/${id}/cut`, { method: 'POST', body: err instanceof Error ? err.message : String(err) });
        controller.close();
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const echoed = await env.TEST_STREAMER.fetch(`http://streamer/echo/${id}`, { method: 'POST', body: upload });
  return new Response(echoed.body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

const encoder = new TextEncoder();

/**
 * A response body whose chunks are released one at a time by the test, to prove the proxy
 * relays each chunk before the next exists.
 */
export function controlledStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
  });
  return {
    stream,
    push: (text: string) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
    fail: (error: Error) => controller.error(error),
  };
}

/** A stream of the given byte chunks, in order. */
export function chunkedStream(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}
