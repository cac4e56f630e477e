import { createParser } from 'eventsource-parser';
import { MessageAccumulator } from '../../anthropic/accumulate';
import { encodeEvent } from '../../anthropic/sse';
import { estimateRequestTokens } from '../../anthropic/tokens';
import type { StreamEvent } from '../../anthropic/types';
import { ProxyError } from '../../http/errors';
import { errorText } from '../../tracing/relay';
import type { TraceContext } from '../../tracing/trace';
import type { UpstreamAuth } from '../../http/auth';
import type { Provider, ProviderCall } from '../types';
import { joinUrl } from '../upstream';
import { Watchdog } from '../watchdog';
import { compatFor } from './compat';
import { fromUpstreamError } from './errors';
import { toOpenAIRequest } from './request';
import { fromOpenAIResponse, type AnswerContext } from './response';
import { convertChunk, createStreamState, failStream, finishStream, startEvents, type StreamState } from './stream';
import type { ChatCompletion, ChatCompletionChunk } from './types';

/** While the upstream is silent, a ping every this many ms keeps clients' idle watchdogs quiet. */
export const PING_INTERVAL_MS = 15_000;

/**
 * OpenAI-compatible Chat Completions upstreams: the request is translated, sent, and the answer
 * translated back, streamed event by event. count_tokens is answered locally.
 */
export const openaiProvider: Provider = {
  prepare(call, target, auth) {
    const { body: request, trace } = call;
    const model = target.model ?? request.model;
    trace.row.targetModel = model;
    if (call.operation === 'countTokens') {
      // Chat Completions has no token-counting endpoint.
      const answer = { input_tokens: estimateRequestTokens(request) };
      trace.response = { kind: 'message', body: answer, bytes: 0 };
      trace.row.upstreamRequestBody = null;
      return Response.json(answer);
    }
    const compat = compatFor(target);
    const { body, toolNames } = toOpenAIRequest(request, { model, compat, maxTokens: target.maxTokens });
    const payload = JSON.stringify(body);
    trace.row.upstreamRequestBody = payload;
    const url = joinUrl(target.baseUrl, '/chat/completions');
    const host = new URL(url).host;
    const context: AnswerContext = { requestedModel: request.model, toolNames, stopSequences: request.stop_sequences };
    const upstreamError = (status: number, text: string, headers: Headers) =>
      fromUpstreamError(status, text, headers, { host, promptEstimate: estimateRequestTokens(request) });

    return {
      url,
      init: { method: 'POST', headers: upstreamHeaders(call, auth, request.stream === true), body: payload },
      async respond(upstream, control) {
        if (request.stream && upstream.body) {
          control.clearDeadline();
          return streamAnswer(upstream.body, context, trace, request, control.idleTimeoutMs);
        }
        // A whole answer is read under the deadline.
        const text = await upstream.text();
        control.clearDeadline();
        trace.firstByte();
        let completion: ChatCompletion;
        try {
          completion = JSON.parse(text) as ChatCompletion;
        } catch {
          throw new ProxyError('api_error', `${host} answered with invalid JSON: ${text.slice(0, 200)}`, 502);
        }
        if (completion.error || !Array.isArray(completion.choices)) {
          // Some servers answer 200 with an error object.
          throw upstreamError(completion.error ? 500 : 502, text, upstream.headers);
        }
        const message = fromOpenAIResponse(completion, context);
        const json = JSON.stringify(message);
        trace.response = { kind: 'message', body: message, text: json, bytes: json.length };
        return new Response(json, { headers: { 'content-type': 'application/json', 'request-id': requestId(upstream, trace) } });
      },
      fail: (status, text, headers) => upstreamError(status, text, headers),
    };
  },
};

function upstreamHeaders(call: ProviderCall, auth: UpstreamAuth, stream: boolean): Headers {
  const headers = new Headers({ 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' });
  const agent = call.clientHeaders.get('user-agent');
  if (agent) headers.set('user-agent', agent);
  for (const [name, value] of Object.entries(auth)) headers.set(name, value);
  return headers;
}

function requestId(upstream: Response, trace: TraceContext): string {
  return upstream.headers.get('x-request-id') ?? upstream.headers.get('request-id') ?? trace.id;
}

const encoder = new TextEncoder();

/**
 * Upstream SSE bytes → OpenAI chunks → Anthropic events → SSE bytes, one network chunk at a
 * time. `message_start` goes out at once; pings cover silences; a broken or truncated upstream
 * ends the stream with an `error` event.
 */
function streamAnswer(
  body: ReadableStream<Uint8Array>,
  context: AnswerContext,
  trace: TraceContext,
  request: ProviderCall['body'],
  idleTimeoutMs: number,
): Response {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const state: StreamState = createStreamState(context, undefined, () => estimateRequestTokens(request));
  const accumulator = new MessageAccumulator();
  const captured = { kind: 'message' as const, accumulator, bytes: 0 };
  trace.response = captured;
  trace.expectBody();

  let pending: StreamEvent[] = [];
  const parser = createParser({
    onEvent(message) {
      if (message.data === '[DONE]') {
        pending.push(...finishStream(state));
        return;
      }
      let chunk: ChatCompletionChunk;
      try {
        chunk = JSON.parse(message.data) as ChatCompletionChunk;
      } catch {
        pending.push(...failStream(state, `upstream sent a malformed stream frame: ${message.data.slice(0, 200)}`));
        return;
      }
      pending.push(...convertChunk(chunk, state));
    },
  });

  let closed = false;
  let stalled: string | null = null;
  let output!: ReadableStreamDefaultController<Uint8Array>;
  const watchdog = new Watchdog(
    idleTimeoutMs,
    () => {
      stalled = `the upstream sent nothing for ${idleTimeoutMs} ms`;
      reader.cancel(stalled).catch(() => {});
    },
    { ms: PING_INTERVAL_MS, onQuiet: () => !closed && send(output, [{ type: 'ping' }]) },
  );

  const send = (controller: ReadableStreamDefaultController<Uint8Array>, events: StreamEvent[]) => {
    if (events.length === 0) return;
    let text = '';
    for (const event of events) {
      accumulator.apply(event);
      text += encodeEvent(event);
    }
    const bytes = encoder.encode(text);
    captured.bytes += bytes.byteLength;
    controller.enqueue(bytes);
    watchdog.clientSent();
  };

  const close = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    closed = true;
    watchdog.stop();
    controller.close();
    const error = accumulator.error;
    if (error) trace.end('upstream_error', error);
    else trace.end('complete');
    // Whatever the upstream still sends after the end is of no use.
    reader.cancel().catch(() => {});
  };

  return new Response(
    new ReadableStream<Uint8Array>(
      {
        start(controller) {
          output = controller;
          send(controller, startEvents(state));
        },
        async pull(controller) {
          while (!closed) {
            let result: ReadableStreamReadResult<Uint8Array>;
            try {
              result = await reader.read();
            } catch (err) {
              send(controller, stalled ? failStream(state, stalled, 'timeout_error') : failStream(state, `upstream connection failed mid-stream: ${errorText(err)}`));
              close(controller);
              return;
            }
            if (stalled) {
              send(controller, failStream(state, stalled, 'timeout_error'));
              close(controller);
              return;
            }
            if (result.done) {
              parser.feed(decoder.decode());
              parser.reset({ consume: true });
              // A body that ends after a finish reason is complete even without [DONE]; one that ends before it was cut.
              pending.push(...(state.finishReason ? finishStream(state) : failStream(state, 'upstream stream ended before the answer was complete')));
              send(controller, pending);
              pending = [];
              close(controller);
              return;
            }
            watchdog.upstreamActive();
            trace.firstByte();
            parser.feed(decoder.decode(result.value, { stream: true }));
            if (pending.length > 0) {
              const events = pending;
              pending = [];
              send(controller, events);
              if (state.done) close(controller);
              return;
            }
          }
        },
        cancel(reason) {
          closed = true;
          watchdog.stop();
          trace.end('client_abort', { type: 'client_abort', message: `client disconnected after ${captured.bytes} bytes` });
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    ),
    { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': trace.id } },
  );
}
