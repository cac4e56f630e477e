/**
 * CPU microbenchmark of claude-proxy's own request-path work, outside any server: the project's
 * modules from src/ run in Node (bundled by esbuild), with no network, no runtime streams and a
 * stub D1. One iteration is one request as src/v1/messages.ts, src/upstream/dispatch.ts,
 * src/providers/*, src/upstream/pump.ts and src/v1/tracing.ts do it:
 *
 *   request:  the request recorder, body text → JSON.parse once, requireModel, routes (parsed
 *             once per isolate), identifyClient (SHA-256 of the client key), routeRequest,
 *             validateRequest, upstreamAuth, the provider's request (passthrough headers /
 *             toOpenAIRequest + JSON.stringify), the attempt record;
 *   response: passthrough: every upstream chunk kept by reference, the SSE tail check;
 *             translated: JSON.parse + fromOpenAIResponse + JSON.stringify, or for streams
 *             eventsource-parser + convertChunk + encodeEvent + MessageAccumulator + TextEncoder;
 *   trace:    what runs in waitUntil: the completed record, then persist (price lookup, the
 *             row, scrubbing, fitBodies, Drizzle building the INSERT) against a D1 stub that
 *             answers at once.
 *
 * Prints JSON: per scenario, the median microseconds per request of each phase and the total;
 * the KEY_BUDGETS check (`budget`); the token estimate of a 115 KB request (`tokens`).
 * Usage: node micro.mjs [--only=name,...] [--seconds=S]
 */
import { createParser } from 'eventsource-parser';
import { MessageAccumulator } from '../src/protocol/accumulate';
import { encodeEvent } from '../src/protocol/sse';
import { estimateRequestTokens } from '../src/protocol/tokens';
import { type Bindings, loadConfig } from '../src/config';
import { budgetFor, parseBudgets } from '../src/config/budgets';
import { identifyClient } from '../src/protocol/client';
import { sessionFromMetadata } from '../src/protocol/session';
import { requireModel, validateRequest } from '../src/protocol/validate';
import { anthropicProvider } from '../src/providers/anthropic';
import { compatFor } from '../src/providers/openai/compat';
import { toOpenAIRequest } from '../src/providers/openai/request';
import { fromOpenAIResponse } from '../src/providers/openai/response';
import { convertChunk, createStreamState, finishStream, startEvents } from '../src/providers/openai/stream';
import { type CompletedRequest, RequestRecorder } from '../src/recording/recorder';
import { requestFacts } from '../src/routing/facts';
import { allAnthropic, routeRequest } from '../src/routing/match';
import { persist } from '../src/storage/persist';
import { costMicros, findPrice, utcDay } from '../src/storage/prices';
import { enforceBudget } from '../src/storage/spend';
import { fitBodies, noteWritten, scrubRow, traceRow, traceStatements } from '../src/storage/writer';
import { storeBodies } from '../src/storage/body-store';
import { forgetConversations } from '../src/storage/conversations';
import { forgetStoredPieces } from '../src/storage/pieces';
import type { NewTrace } from '../src/storage/schema';
import { newTraceId } from '../src/core/ids';
import { drizzle } from 'drizzle-orm/d1';
import { upstreamAuth } from '../src/upstream/auth';
import { joinUrl } from '../src/upstream/http';
import { endsWithTerminalEvent } from '../src/upstream/pump';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  anthropicMessage,
  anthropicStreamWrites,
  claudeCodeRequest,
  clientHeaders,
  openaiCompletion,
  openaiStreamWrites,
  smallRequest,
} from './lib/fixtures.mjs';

// workerd computes crypto.subtle.digest inline (BoringSSL); Node's WebCrypto hops to its thread
// pool, which would dominate the small request here. Serve SHA-256 synchronously, as workerd does.
{
  const subtle = globalThis.crypto.subtle;
  const original = subtle.digest.bind(subtle);
  Object.defineProperty(subtle, 'digest', {
    configurable: true,
    value: async (algorithm: AlgorithmIdentifier, data: BufferSource) => {
      const name = typeof algorithm === 'string' ? algorithm : algorithm.name;
      if (name.toUpperCase() !== 'SHA-256') return original(algorithm, data);
      const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data as ArrayBuffer);
      const out = createHash('sha256').update(bytes).digest();
      return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
    },
  });
}

// The trace writer's `request` log line is built (JSON.stringify, counted) but not printed:
// stdout carries this script's result.
console.log = () => {};

const UPSTREAM = 'http://127.0.0.1:40000';
const ROUTES = JSON.stringify([
  { match: 'claude-pass*', provider: 'anthropic', baseUrl: UPSTREAM, apiKey: 'client' },
  { match: 'claude-trans*', provider: 'openai', baseUrl: `${UPSTREAM}/v1`, model: 'bench-model' },
]);

// ---------------------------------------------------------------------------------------------
// A D1 stub: Drizzle builds its statements as it would for the real binding; every statement
// answers at once. model_prices gets the seeded price list, so the price lookup does real work.

function seededPrices(): unknown[][] {
  const sql = readFileSync(join(process.cwd(), 'drizzle/0004_seed_model_prices.sql'), 'utf8');
  const rows: unknown[][] = [];
  const pattern = /VALUES \('([^']*)', ([\d.]+|NULL), ([\d.]+|NULL), ([\d.]+|NULL), ([\d.]+|NULL), '([^']*)', '([^']*)'\)/g;
  for (const m of sql.matchAll(pattern)) {
    const num = (s: string) => (s === 'NULL' ? null : Number(s));
    rows.push([rows.length + 1, m[1], num(m[2]!), num(m[3]!), num(m[4]!), num(m[5]!), m[6], m[7]]);
  }
  return rows;
}

function stubD1(prices: unknown[][]) {
  const ok = { success: true, meta: { changes: 1, rows_written: 1 }, results: [] };
  const statement = (sql: string) => {
    const bound = {
      run: async () => ok,
      all: async () => ({ ...ok, results: [] }),
      raw: async () => (sql.includes('"model_prices"') || sql.includes('`model_prices`') ? prices : []),
      first: async () => null,
    };
    return { bind: (..._params: unknown[]) => bound, ...bound };
  };
  return { prepare: statement, batch: async (statements: unknown[]) => statements.map(() => ok), exec: async () => ok, dump: async () => new ArrayBuffer(0) };
}

// ---------------------------------------------------------------------------------------------

const encoder = new TextEncoder();

interface Scenario {
  name: string;
  route: 'passthrough' | 'translated';
  body: string;
  /** The body as the runtime hands it over. */
  bytes: ArrayBuffer;
  headers: Headers;
  stream: boolean;
  /** Upstream answer as network chunks. */
  upstream: Uint8Array[];
}

function scenario(name: string, route: Scenario['route'], size: 'small' | '80k', stream: boolean): Scenario {
  const model = route === 'passthrough' ? 'claude-pass-bench-1' : 'claude-trans-bench-1';
  const request = size === 'small' ? smallRequest(model, { stream }) : claudeCodeRequest(model, { stream });
  const body = JSON.stringify(request);
  const headers = new Headers({ ...clientHeaders({ session: size === '80k' }), 'content-length': String(Buffer.byteLength(body)) });
  let upstream: string[];
  if (route === 'passthrough') upstream = stream ? anthropicStreamWrites() : [JSON.stringify(anthropicMessage())];
  else upstream = stream ? openaiStreamWrites() : [JSON.stringify(openaiCompletion())];
  const bytes = encoder.encode(body).buffer as ArrayBuffer;
  return { name, route, body, bytes, headers, stream, upstream: upstream.map((text) => encoder.encode(text)) };
}

const SCENARIOS: Scenario[] = [
  scenario('small/passthrough', 'passthrough', 'small', false),
  scenario('small/translated', 'translated', 'small', false),
  scenario('80k/passthrough', 'passthrough', '80k', false),
  scenario('80k/translated', 'translated', '80k', false),
  scenario('stream/passthrough', 'passthrough', 'small', true),
  scenario('stream/translated', 'translated', 'small', true),
  scenario('80k-stream/passthrough', 'passthrough', '80k', true),
  scenario('80k-stream/translated', 'translated', '80k', true),
];

const priceRows = seededPrices();
const pricesCache = priceRows.map(([id, model, inputUsdPerMtok, outputUsdPerMtok, cacheReadUsdPerMtok, cacheWriteUsdPerMtok, effectiveFrom, source]) => ({
  id,
  model,
  inputUsdPerMtok,
  outputUsdPerMtok,
  cacheReadUsdPerMtok,
  cacheWriteUsdPerMtok,
  effectiveFrom,
  source,
})) as Parameters<typeof findPrice>[2];
const config = loadConfig({ ROUTES, DB: stubD1(priceRows) } as unknown as Bindings);
const requestUrl = 'http://127.0.0.1:8787/v1/messages';

/** Step boundaries of the last request (performance.now()), for the per-step breakdown. */
const marks: [string, number][] = [];
const mark = (step: string) => marks.push([step, performance.now()]);

/** One request, timed in three phases (ms from performance.now()). */
async function once(s: Scenario): Promise<[number, number, number]> {
  marks.length = 0;
  const t0 = performance.now();
  marks.push(['start', t0]);
  // --- middleware: open the record
  const trace = new RequestRecorder({ url: requestUrl, method: 'POST', headers: s.headers } as unknown as Request, new URL(requestUrl).pathname);
  // --- routedHandler
  const routes = config.routes.get();
  mark('open trace');
  const type = s.headers.get('content-type');
  if (type && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) throw new Error('content-type');
  const text = s.body; // the body's text: readBody() decodes the bytes it read (the runtime's work)
  trace.received(s.bytes);
  if (text.trim() === '') throw new Error('empty');
  const json: unknown = JSON.parse(text);
  trace.parsed(json); // readBody(): the trace stores the parsed request, not its text again
  const body = requireModel(json);
  trace.asked(body.model, body.stream === true);
  if (typeof body.metadata === 'object') trace.session(sessionFromMetadata(body));
  mark('JSON.parse body');
  const client = await identifyClient(s.headers, config.proxyKeys, false);
  trace.client(client);
  mark('identifyClient');
  const decision = routeRequest(routes, requestFacts(body, s.headers, client.proxyKeyName, s.headers.get('x-claude-code-session-id')))!;
  trace.routeChosen(decision.route.name, decision.reason);
  trace.routed(decision.targets[0]!.provider);
  validateRequest(body, 'messages', allAnthropic(decision.route) ? 'anthropic' : 'translated');
  mark('route + validateRequest');
  // --- dispatch + provider.prepare
  const target = decision.targets[0]!;
  const auth = upstreamAuth(target, client, config.secret, decision.keysFor(target)[0]);
  mark('upstreamAuth');
  let url: string;
  let context: Parameters<typeof createStreamState>[0] | null = null;
  if (target.provider === 'anthropic') {
    const prepared = anthropicProvider.prepare(
      { operation: 'messages', body, bodyBytes: s.bytes, bodyText: text, clientHeaders: s.headers, observer: trace },
      target,
      auth,
      config.secret,
    );
    url = (prepared as { url: string }).url;
  } else {
    // openaiProvider.prepare, step by step (its answer context is not exposed)
    const model = target.model ?? body.model;
    trace.target('openai', model);
    const translated = toOpenAIRequest(body, { model, compat: compatFor(target), maxTokens: target.maxTokens });
    mark('toOpenAIRequest');
    const payload = JSON.stringify(translated.body);
    mark('JSON.stringify upstream body');
    trace.upstreamRequest(payload, translated.body);
    url = joinUrl(target.baseUrl, '/chat/completions');
    new URL(url).host;
    context = { requestedModel: body.model, toolNames: translated.toolNames, stopSequences: body.stop_sequences };
    const headers = new Headers({ 'content-type': 'application/json', accept: body.stream ? 'text/event-stream' : 'application/json' });
    const agent = s.headers.get('user-agent');
    if (agent) headers.set('user-agent', agent);
    for (const [name, value] of Object.entries(auth)) headers.set(name, value);
  }
  new URL(url).host; // send(): the host for messages
  trace.attempt({ target: target.label, provider: target.provider, url, status: 200, error: null, ms: 0 });
  mark(target.provider === 'anthropic' ? 'prepare (passthrough)' : 'prepare (rest)');
  const t1 = performance.now();

  // --- the answer
  if (s.route === 'passthrough') {
    // relayBody: each chunk kept by reference and passed on
    const capture = { kind: 'bytes' as const, chunks: [] as Uint8Array[], bytes: 0, sse: s.stream };
    trace.response(capture);
    trace.expectBody();
    for (const chunk of s.upstream) {
      trace.firstByte();
      capture.chunks.push(chunk);
      capture.bytes += chunk.byteLength;
    }
    if (s.stream && !endsWithTerminalEvent(capture.chunks)) throw new Error('stream not terminated');
    trace.end('complete');
  } else if (!s.stream) {
    const answerText = new TextDecoder().decode(s.upstream[0]); // upstream.text()
    trace.firstByte();
    const message = fromOpenAIResponse(JSON.parse(answerText), context!);
    const json = JSON.stringify(message);
    trace.response({ kind: 'message', body: message, text: json, bytes: json.length });
    encoder.encode(json); // new Response(json): the runtime encodes it
  } else {
    // streamAnswer
    const decoder = new TextDecoder();
    const state = createStreamState(context!, undefined, () => estimateRequestTokens(body));
    const accumulator = new MessageAccumulator();
    const captured = { kind: 'message' as const, accumulator, bytes: 0 };
    trace.response(captured);
    trace.expectBody();
    let pending: ReturnType<typeof convertChunk> = [];
    const parser = createParser({
      onEvent(message) {
        if (message.data === '[DONE]') {
          pending.push(...finishStream(state));
          return;
        }
        pending.push(...convertChunk(JSON.parse(message.data), state));
      },
    });
    const send = (events: ReturnType<typeof convertChunk>) => {
      if (events.length === 0) return;
      let out = '';
      for (const event of events) {
        accumulator.apply(event);
        out += encodeEvent(event);
      }
      captured.bytes += encoder.encode(out).byteLength;
    };
    send(startEvents(state));
    for (const chunk of s.upstream) {
      trace.firstByte();
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (pending.length > 0) {
        const events = pending;
        pending = [];
        send(events);
      }
    }
    parser.feed(decoder.decode());
    parser.reset({ consume: true });
    send(pending);
    pending = [];
    if (!state.done) throw new Error('stream did not finish');
    trace.end(accumulator.error ? 'upstream_error' : 'complete');
  }
  // middleware after next()
  trace.finish(200);
  const t2 = performance.now();
  marks.push(['response', t2]);

  // --- waitUntil
  const record = trace.complete();
  lastRecord = record;
  await persist(config, record);
  const t3 = performance.now();
  marks.push(['persist (waitUntil)', t3]);
  return [t1 - t0, t2 - t1, t3 - t2];
}

let lastRecord: CompletedRequest | null = null;

/**
 * persist's steps one by one (src/storage/persist.ts, writer.ts), on a finished request, for the
 * breakdown: the row, scrubRow, the price lookup, fitBodies, and Drizzle building and sending the INSERT.
 */
async function traceSteps(record: CompletedRequest, out: Map<string, number[]>) {
  const push = (step: string, ms: number) => (out.get(step) ?? out.set(step, []).get(step)!).push(ms * 1000);
  let t = performance.now();
  const next = (step: string) => {
    const now = performance.now();
    push(step, now - t);
    t = now;
  };
  const price = findPrice(record.targetModel ?? record.requestedModel, utcDay(record.createdAt), pricesCache);
  const cost = { costMicros: price ? costMicros(record, price) : null, priceId: price?.id ?? null };
  next('trace: findPrice');
  const { row } = await traceRow({ ...config, trace: { ...config.trace, bodies: 'none' } }, record, cost);
  row.requestBody = record.requestBody;
  row.upstreamRequestBody = record.upstreamRequestBody;
  row.responseBody = record.responseBody;
  next('trace: the row');
  scrubRow(row, [...config.secrets, ...record.secrets]);
  next('trace: scrubRow');
  fitBodies(row);
  next('trace: fitBodies');
  await config.db.batch(traceStatements(config.db, { row, bodies: null }) as [never]);
  next('trace: drizzle insert (+ session)');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Thread CPU time (falls back to the process's): preemption by other processes does not count. */
const cpuNow = (): number => {
  const usage = typeof process.threadCpuUsage === 'function' ? process.threadCpuUsage() : process.cpuUsage();
  return usage.user + usage.system;
};

interface Samples {
  request: number[];
  response: number[];
  trace: number[];
  total: number[];
  steps: Map<string, number[]>;
  cpuUs: number;
  cpuIterations: number;
}

async function warm(s: Scenario, ms: number) {
  const end = performance.now() + ms;
  for (let i = 0; performance.now() < end || i < 200; i++) await once(s);
}

/** Runs one scenario for `ms`, adding to its samples. */
async function slice(s: Scenario, ms: number, into: Samples) {
  const end = performance.now() + ms;
  const cpu0 = cpuNow();
  let n = 0;
  while (performance.now() < end || n < 50) {
    const [a, b, c] = await once(s);
    n++;
    into.request.push(a * 1000);
    into.response.push(b * 1000);
    into.trace.push(c * 1000);
    into.total.push((a + b + c) * 1000);
    if (breakdown) {
      for (let i = 1; i < marks.length; i++) {
        const [step, at] = marks[i]!;
        (into.steps.get(step) ?? into.steps.set(step, []).get(step)!).push((at - marks[i - 1]![1]) * 1000);
      }
      await traceSteps(lastRecord!, into.steps);
    }
  }
  if (!breakdown) {
    into.cpuUs += cpuNow() - cpu0;
    into.cpuIterations += n;
  }
}

const args: Record<string, string | true> = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key, value ?? true];
  }),
);
const only = args.only ? String(args.only).split(',') : null;
const seconds = Number(args.seconds ?? 1.5);
const breakdown = Boolean(args.breakdown);
const ROUNDS = 5;

// Warm every scenario up first, then measure in interleaved rounds, so that whatever else the
// machine does is spread over all scenarios rather than landing on one.
const selected = SCENARIOS.filter((s) => !only || only.includes(s.name));
for (const s of selected) await warm(s, Math.min(1000, seconds * 300));
const samples = new Map<string, Samples>(
  selected.map((s) => [s.name, { request: [], response: [], trace: [], total: [], steps: new Map(), cpuUs: 0, cpuIterations: 0 }]),
);
for (let round = 0; round < ROUNDS; round++) {
  for (const s of selected) await slice(s, (seconds * 1000) / ROUNDS, samples.get(s.name)!);
}
const round2 = (n: number) => Math.round(n * 100) / 100;
const results = selected.map((s) => {
  const m = samples.get(s.name)!;
  return {
    name: s.name,
    iterations: m.total.length,
    request_us: round2(median(m.request)),
    response_us: round2(median(m.response)),
    trace_us: round2(median(m.trace)),
    total_us: round2(median(m.total)),
    /** Mean thread CPU per request over the same iterations (GC included). */
    cpu_mean_us: m.cpuIterations ? round2(m.cpuUs / m.cpuIterations) : undefined,
    bytes: { request: Buffer.byteLength(s.body), upstreamChunks: s.upstream.length },
    steps: breakdown ? [...m.steps.entries()].map(([step, values]) => ({ step, us: round2(median(values)) })) : undefined,
  };
});

// The KEY_BUDGETS check as a request pays for it once the isolate holds its copy of key_spend:
// budget lookup, copy lookup, the comparison (the background refresh every 10 s is not counted).
async function budgetCheckUs(): Promise<number> {
  const budgets = parseBudgets(JSON.stringify({ bench: { daily: 1e9, monthly: 1e9 } }))!;
  const d1 = stubD1(priceRows) as unknown as D1Database;
  const background = () => {};
  await enforceBudget(d1, 'bench', budgetFor(budgets, 'bench')!, 'trace', background);
  const times: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const t0 = performance.now();
    const budget = budgetFor(budgets, 'bench');
    if (budget) await enforceBudget(d1, 'bench', budget, 'trace', background);
    times.push((performance.now() - t0) * 1000);
  }
  return round2(median(times));
}
const budget_check_us = only && !only.includes('budget') ? undefined : await budgetCheckUs();

// The token estimate a `minInputTokens` route asks for (the count_tokens estimate), on a
// Claude-Code-shaped request of 115 KB parsed as a Worker parses it (flat strings, from JSON.parse).
function tokenEstimate(): { bytes: number; tokens: number; us: number } {
  const text = JSON.stringify(claudeCodeRequest('claude-bench-1', { exchanges: 118 }));
  const request = JSON.parse(text);
  for (let i = 0; i < 300; i++) estimateRequestTokens(request);
  const times: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    const t0 = performance.now();
    estimateRequestTokens(request);
    times.push((performance.now() - t0) * 1000);
  }
  return { bytes: Buffer.byteLength(text), tokens: estimateRequestTokens(request), us: round2(median(times)) };
}
const token_estimate = only && !only.includes('tokens') ? undefined : tokenEstimate();

/**
 * What body format 1 adds to the trace write of a Claude Code turn (src/storage/body-store.ts):
 * parse, split, hash what is new, find the history, build the news; the previous turn is
 * remembered, as it is in a warm isolate. On a real 90 KB Claude Code request (and with its
 * translation to Chat Completions beside it), from the row to the statements' inputs.
 */
async function storageWrite(): Promise<Record<string, number>> {
  const text = readFileSync(join(process.cwd(), 'test/fixtures/claude-code/004.json'), 'utf8');
  const request = JSON.parse(text) as { messages: { role: string; content: unknown }[] } & Record<string, unknown>;
  const db = drizzle(stubD1(priceRows) as unknown as D1Database);
  const target = { provider: 'openai', baseUrl: UPSTREAM, model: 'bench-model' } as never;
  const translate = (body: unknown) =>
    JSON.stringify(toOpenAIRequest(body as never, { model: 'bench-model', compat: compatFor(target), maxTokens: undefined }).body);
  const base = { ...request, messages: request.messages.slice(0, -2) };
  const answer = JSON.stringify({
    id: 'msg_bench',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-6',
    content: request.messages.at(-2)!.content,
    stop_reason: 'tool_use',
  });
  const row = (body: unknown, translated: boolean, id: string) =>
    ({
      requestBytes: text.length,
      id,
      createdAt: new Date(),
      method: 'POST',
      path: '/v1/messages',
      sessionId: 'bench-session',
      apiKeyName: null,
      requestHeaders: clientHeaders({ session: true }),
      requestBody: JSON.stringify(body),
      upstreamRequestBody: translated ? translate(body) : null,
      responseBody: answer,
    }) as NewTrace;
  const out: Record<string, number> = { request_bytes: Buffer.byteLength(text) };
  for (const translated of [false, true]) {
    forgetConversations();
    forgetStoredPieces();
    const first = row(base, translated, newTraceId());
    const firstBodies = await storeBodies(db, first, answer, { parsed: { request: base } });
    noteWritten({ row: first, bodies: firstBodies });
    const times: number[] = [];
    for (let i = 0; i < 1_500; i++) {
      const next = row(request, translated, newTraceId());
      // As a request parses its body (and a provider builds its translation) anyway: storage gets those values.
      const parsed = { request: JSON.parse(next.requestBody!), upstream: translated ? JSON.parse(next.upstreamRequestBody!) : undefined };
      const t0 = performance.now();
      const stored = await storeBodies(db, next, answer, { parsed });
      if (i >= 300) times.push((performance.now() - t0) * 1000);
      if (stored.pieces.length > 0 || next.historyLength !== request.messages.length - 1)
        throw new Error(`the turn was not stored as news over its history: new ${stored.pieces.map((p) => p.kind)}, history ${next.historyLength}`);
    }
    out[translated ? 'translated_turn_us' : 'turn_us'] = round2(median(times));
  }
  return out;
}
const trace_storage = only && !only.includes('storage') ? undefined : await storageWrite();
process.stdout.write(`${JSON.stringify({ node: process.version, results, budget_check_us, token_estimate, trace_storage })}\n`);
