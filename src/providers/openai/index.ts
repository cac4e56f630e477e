import { createParser } from 'eventsource-parser';
import { ProxyError } from '../../core/errors';
import { MessageAccumulator } from '../../protocol/accumulate';
import { encodeEvent } from '../../protocol/sse';
import { estimateRequestTokens } from '../../protocol/tokens';
import type { MessagesRequest, StreamEvent } from '../../protocol/types';
import { joinUrl } from '../../upstream/http';
import { pump, type StreamTransform } from '../../upstream/pump';
import type { UpstreamCredentials } from '../../upstream/auth';
import type { CallObserver, CapturedMessage, Provider, ProviderCall } from '../../upstream/types';
import { compatFor } from './compat';
import { fromUpstreamError } from './errors';
import { toOpenAIRequest } from './request';
import { type AnswerContext, fromOpenAIResponse } from './response';
import { convertChunk, createStreamState, failStream, finishStream, startEvents } from './stream';
import type { ChatCompletion, ChatCompletionChunk } from './types';

/** While the upstream is silent, a ping every this many ms keeps clients' idle watchdogs quiet. */
export const PING_INTERVAL_MS = 15_000;

/**
 * OpenAI-compatible Chat Completions upstreams: the request is translated, sent, and the answer
 * translated back, streamed event by event. count_tokens is answered locally.
 */
export const openaiProvider: Provider = {
  prepare(call, target, auth) {
    const { body: request, observer } = call;
    const model = target.model ?? request.model;
    observer.target('openai', model);
    if (call.operation === 'countTokens') {
      // Chat Completions has no token-counting endpoint.
      const answer = { input_tokens: estimateRequestTokens(request) };
      observer.response({ kind: 'message', body: answer, bytes: 0 });
      observer.upstreamRequest(null);
      return Response.json(answer);
    }
    const compat = compatFor(target);
    const { body, toolNames } = toOpenAIRequest(request, { model, compat, maxTokens: target.maxTokens });
    const payload = JSON.stringify(body);
    observer.upstreamRequest(payload);
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
          const transform = chatStreamTransform(context, request, observer);
          return new Response(pump(upstream.body, transform, observer, { idleTimeoutMs: control.idleTimeoutMs, pingMs: PING_INTERVAL_MS }), {
            headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': observer.id },
          });
        }
        // A whole answer is read under the deadline.
        const text = await upstream.text();
        control.clearDeadline();
        observer.firstByte();
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
        observer.response({ kind: 'message', body: message, text: json, bytes: json.length });
        return new Response(json, { headers: { 'content-type': 'application/json', 'request-id': requestId(upstream, observer) } });
      },
      fail: (status, text, headers) => upstreamError(status, text, headers),
    };
  },
};

function upstreamHeaders(call: ProviderCall, auth: UpstreamCredentials, stream: boolean): Headers {
  const headers = new Headers({ 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' });
  const agent = call.clientHeaders.get('user-agent');
  if (agent) headers.set('user-agent', agent);
  for (const [name, value] of Object.entries(auth.headers)) headers.set(name, value);
  return headers;
}

function requestId(upstream: Response, observer: CallObserver): string {
  return upstream.headers.get('x-request-id') ?? upstream.headers.get('request-id') ?? observer.id;
}

const encoder = new TextEncoder();

/**
 * Chat Completions SSE → Anthropic SSE, as a transform for the stream pump: upstream bytes are
 * parsed into chunks, converted into Anthropic events (accumulated for the trace), encoded.
 * `message_start` goes out at once; pings cover silences; a broken or truncated upstream ends
 * the stream with an `error` event.
 */
function chatStreamTransform(context: AnswerContext, request: MessagesRequest, observer: CallObserver): StreamTransform {
  const decoder = new TextDecoder();
  const state = createStreamState(context, undefined, () => estimateRequestTokens(request));
  const accumulator = new MessageAccumulator();
  const captured: CapturedMessage = { kind: 'message', accumulator, bytes: 0 };
  observer.response(captured);

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

  const encode = (events: StreamEvent[]): Uint8Array | null => {
    if (events.length === 0) return null;
    let text = '';
    for (const event of events) {
      accumulator.apply(event);
      text += encodeEvent(event);
    }
    const bytes = encoder.encode(text);
    captured.bytes += bytes.byteLength;
    return bytes;
  };
  const flush = () => {
    const events = pending;
    pending = [];
    return encode(events);
  };

  return {
    get done() {
      return state.done;
    },
    get failure() {
      return accumulator.error;
    },
    start: () => encode(startEvents(state)),
    chunk(bytes) {
      parser.feed(decoder.decode(bytes, { stream: true }));
      return flush();
    },
    end() {
      parser.feed(decoder.decode());
      parser.reset({ consume: true });
      // A body that ends after a finish reason is complete even without [DONE]; one that ends before it was cut.
      if (state.finishReason) {
        pending.push(...finishStream(state));
        return { bytes: flush(), failure: null };
      }
      return { bytes: flush(), failure: { type: 'api_error', message: 'upstream stream ended before the answer was complete' } };
    },
    fail: (error) => encode([...pending.splice(0), ...failStream(state, error.message, error.type)]),
    ping: () => encode([{ type: 'ping' }]),
  };
}
