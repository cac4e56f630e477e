import { ProxyError } from '../../core/errors';
import { sessionFromMetadata } from '../../protocol/session';
import { estimateRequestTokens } from '../../protocol/tokens';
import type { MessageResponse, MessagesRequest } from '../../protocol/types';
import { joinUrl } from '../../upstream/http';
import { pump, type StreamTransform } from '../../upstream/pump';
import type { UpstreamCredentials } from '../../upstream/auth';
import type { CallObserver, PreparedRequest, Provider, ProviderCall, UpstreamControl } from '../../upstream/types';
import { compatFor } from './compat';
import { fromUpstreamError } from './errors';
import { type DroppableParam, dropRefused, targetKey, withoutRefused } from './refused-params';
import { toOpenAIRequest } from './request';
import { type AnswerContext, fromOpenAIResponse } from './response';
import { convertChunk, createStreamState, failStream, finishStream, startEvents } from './stream';
import { translatedStreamTransform } from './transform';
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
    // Chat Completions has no token-counting endpoint.
    if (call.operation === 'countTokens') return countTokensLocally(call);
    const compat = compatFor(target);
    const { body, toolNames } = toOpenAIRequest(request, { model, compat, maxTokens: target.maxTokens, sessionId: sessionOf(call) });
    const url = joinUrl(target.baseUrl, '/chat/completions');
    const refusals = targetKey(url, model);
    withoutRefused(refusals, body as unknown as Record<string, unknown>);
    const payload = JSON.stringify(body);
    observer.upstreamRequest(payload, body);
    const host = new URL(url).host;
    const context: AnswerContext = { requestedModel: request.model, toolNames, stopSequences: request.stop_sequences };
    const upstreamError = (status: number, text: string, headers: Headers) =>
      fromUpstreamError(status, text, headers, { host, promptEstimate: estimateRequestTokens(request) });

    const prepared: PreparedRequest = {
      url,
      init: { method: 'POST', headers: upstreamHeaders(call, auth, request.stream === true), body: payload },
      async respond(upstream, control) {
        if (request.stream && upstream.body) return streamedAnswer(upstream.body, chatStreamTransform(context, request, observer), observer, control);
        const { text, json: completion } = await readJsonAnswer<ChatCompletion>(upstream, control, observer, host);
        if (completion.error || !Array.isArray(completion.choices)) {
          // Some servers answer 200 with an error object.
          throw upstreamError(completion.error ? 500 : 502, text, upstream.headers);
        }
        return messageAnswer(fromOpenAIResponse(completion, context), upstream, observer);
      },
      fail: (status, text, headers) => upstreamError(status, text, headers),
      retryWithout: dropRefused({
        key: refusals,
        body: body as unknown as Record<string, unknown>,
        params: REASONING_PARAMS,
        resend(payload) {
          observer.upstreamRequest(payload, body);
          prepared.init.body = payload;
        },
      }),
    };
    return prepared;
  },
};

/** The reasoning parameters a compat profile may add, as a refusal names them. */
const REASONING_PARAMS: DroppableParam[] = [
  { field: 'reasoning_effort', names: /reasoning_effort/ },
  { field: 'reasoning', names: /\breasoning\b/ },
  { field: 'thinking', names: /\bthinking\b/ },
];

/** The Claude Code session a request belongs to: its header, else the session in `metadata.user_id`. */
export function sessionOf(call: ProviderCall): string | null {
  return call.clientHeaders.get('x-claude-code-session-id') || sessionFromMetadata(call.body);
}

/** count_tokens answered without the upstream, for targets that have no counting endpoint. */
export function countTokensLocally(call: ProviderCall): Response {
  const answer = { input_tokens: estimateRequestTokens(call.body) };
  call.observer.response({ kind: 'message', body: answer, bytes: 0 });
  call.observer.upstreamRequest(null);
  return Response.json(answer);
}

/** A translated stream as the client's answer: the pump over the transform, pinging through silences. */
export function streamedAnswer(body: ReadableStream<Uint8Array>, transform: StreamTransform, observer: CallObserver, control: UpstreamControl): Response {
  control.clearDeadline();
  return new Response(pump(body, transform, observer, { idleTimeoutMs: control.idleTimeoutMs, pingMs: PING_INTERVAL_MS }), {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': observer.id },
  });
}

/** A whole answer, read under the deadline and parsed; one that is not JSON is a 502. */
export async function readJsonAnswer<T>(
  upstream: Response,
  control: UpstreamControl,
  observer: CallObserver,
  host: string,
): Promise<{ text: string; json: T }> {
  const text = await upstream.text();
  control.clearDeadline();
  observer.firstByte();
  try {
    return { text, json: JSON.parse(text) as T };
  } catch {
    throw new ProxyError('api_error', `${host} answered with invalid JSON: ${text.slice(0, 200)}`, 502);
  }
}

/** A translated message as the client's JSON answer, captured for the trace. */
export function messageAnswer(message: MessageResponse, upstream: Response, observer: CallObserver): Response {
  const json = JSON.stringify(message);
  observer.response({ kind: 'message', body: message, text: json, bytes: json.length });
  return new Response(json, { headers: { 'content-type': 'application/json', 'request-id': requestId(upstream, observer) } });
}

export function upstreamHeaders(call: ProviderCall, auth: UpstreamCredentials, stream: boolean): Headers {
  const headers = new Headers({ 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' });
  const agent = call.clientHeaders.get('user-agent');
  if (agent) headers.set('user-agent', agent);
  for (const [name, value] of Object.entries(auth.headers)) headers.set(name, value);
  return headers;
}

export function requestId(upstream: Response, observer: CallObserver): string {
  return upstream.headers.get('x-request-id') ?? upstream.headers.get('request-id') ?? observer.id;
}

/** Chat Completions SSE → Anthropic SSE: chunks until `[DONE]` (or the end of a body that had a finish reason). */
function chatStreamTransform(context: AnswerContext, request: MessagesRequest, observer: CallObserver): StreamTransform {
  const state = createStreamState(context, undefined, () => estimateRequestTokens(request));
  return translatedStreamTransform(
    {
      get done() {
        return state.done;
      },
      start: () => startEvents(state),
      event(_name, data) {
        if (data === '[DONE]') return finishStream(state);
        let chunk: ChatCompletionChunk;
        try {
          chunk = JSON.parse(data) as ChatCompletionChunk;
        } catch {
          return failStream(state, `upstream sent a malformed stream frame: ${data.slice(0, 200)}`);
        }
        return convertChunk(chunk, state);
      },
      end() {
        // A body that ends after a finish reason is complete even without [DONE]; one that ends before it was cut.
        if (state.finishReason) return { events: finishStream(state), failure: null };
        return { events: [], failure: { type: 'api_error', message: 'upstream stream ended before the answer was complete' } };
      },
      fail: (error) => failStream(state, error.message, error.type),
    },
    observer,
  );
}
