import { ProxyError } from '../../core/errors';
import { estimateRequestTokens } from '../../protocol/tokens';
import { joinUrl } from '../../upstream/http';
import { pump, type StreamTransform } from '../../upstream/pump';
import type { CallObserver, PreparedRequest, Provider } from '../../upstream/types';
import { countTokensLocally, PING_INTERVAL_MS, requestId, sessionOf, upstreamHeaders } from '../openai';
import { fromUpstreamError } from '../openai/errors';
import { type DroppableParam, refusedParam, rememberRefused, targetKey, withoutRefused } from '../openai/refused-params';
import { translatedStreamTransform } from '../openai/transform';
import { toResponsesRequest } from './request';
import { fromResponsesResponse, type ResponsesAnswerContext } from './response';
import { convertResponsesEvent, createResponsesStreamState, failResponsesStream, responsesStartEvents } from './stream';
import type { ResponsesResponse, ResponsesStreamEvent } from './types';

/** What the proxy adds on its own that a target may refuse: asked-for encrypted reasoning, then the reasoning parameter. */
const DROPPABLE: DroppableParam[] = [
  { field: 'include', names: /\binclude\b|encrypted_content/ },
  { field: 'reasoning', names: /\breasoning\b/ },
];

/**
 * OpenAI's Responses API (`POST /v1/responses`, where GPT-5 Codex models are served): the
 * request is translated, sent, and the answer translated back, streamed event by event.
 * count_tokens is answered locally.
 */
export const openaiResponsesProvider: Provider = {
  prepare(call, target, auth) {
    const { body: request, observer } = call;
    const model = target.model ?? request.model;
    observer.target('openai-responses', model);
    if (call.operation === 'countTokens') return countTokensLocally(call);

    const { body, toolNames } = toResponsesRequest(request, {
      model,
      maxTokens: target.maxTokens,
      reasoning: target.reasoning === 'none' ? 'never' : target.reasoning ? 'always' : 'auto',
      store: target.store,
      sessionId: sessionOf(call),
    });
    const url = joinUrl(target.baseUrl, '/responses');
    const refusals = targetKey(url, model);
    const fields = body as unknown as Record<string, unknown>;
    withoutRefused(refusals, fields);
    const payload = JSON.stringify(body);
    observer.upstreamRequest(payload);
    const host = new URL(url).host;
    const context: ResponsesAnswerContext = { requestedModel: request.model, toolNames, targetModel: model };
    const upstreamError = (status: number, text: string, headers: Headers) =>
      fromUpstreamError(status, text, headers, { host, promptEstimate: estimateRequestTokens(request) });

    const prepared: PreparedRequest = {
      url,
      init: { method: 'POST', headers: upstreamHeaders(call, auth, request.stream === true), body: payload },
      async respond(upstream, control) {
        if (request.stream && upstream.body) {
          control.clearDeadline();
          return new Response(
            pump(upstream.body, responsesStreamTransform(context, observer), observer, { idleTimeoutMs: control.idleTimeoutMs, pingMs: PING_INTERVAL_MS }),
            {
              headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': observer.id },
            },
          );
        }
        const text = await upstream.text();
        control.clearDeadline();
        observer.firstByte();
        let response: ResponsesResponse;
        try {
          response = JSON.parse(text) as ResponsesResponse;
        } catch {
          throw new ProxyError('api_error', `${host} answered with invalid JSON: ${text.slice(0, 200)}`, 502);
        }
        if (response.status === 'failed' || (response.error && !Array.isArray(response.output)) || !Array.isArray(response.output)) {
          throw upstreamError(response.error || response.status === 'failed' ? 500 : 502, text, upstream.headers);
        }
        const message = fromResponsesResponse(response, context);
        const json = JSON.stringify(message);
        observer.response({ kind: 'message', body: message, text: json, bytes: json.length });
        return new Response(json, { headers: { 'content-type': 'application/json', 'request-id': requestId(upstream, observer) } });
      },
      fail: (status, text, headers) => upstreamError(status, text, headers),
      retryWithout(status, text) {
        const refused = refusedParam(status, text, fields, DROPPABLE);
        if (!refused) return null;
        rememberRefused(refusals, refused.field);
        delete fields[refused.field];
        const resent = JSON.stringify(body);
        observer.upstreamRequest(resent);
        prepared.init.body = resent;
        return `resent without ${refused.field}, which this target refuses (not sent to it again)`;
      },
    };
    return prepared;
  },
};

/** Responses API SSE → Anthropic SSE: complete at `response.completed` / `response.incomplete`, failed at `response.failed` / `error`. */
function responsesStreamTransform(context: ResponsesAnswerContext, observer: CallObserver): StreamTransform {
  const state = createResponsesStreamState(context);
  return translatedStreamTransform(
    {
      get done() {
        return state.done;
      },
      start: () => responsesStartEvents(state),
      event(name, data) {
        let event: ResponsesStreamEvent;
        try {
          event = JSON.parse(data) as ResponsesStreamEvent;
        } catch {
          return failResponsesStream(state, `upstream sent a malformed stream frame: ${data.slice(0, 200)}`);
        }
        if (typeof event?.type !== 'string' && name) event = { ...event, type: name };
        return convertResponsesEvent(event, state);
      },
      end: () =>
        state.done
          ? { events: [], failure: null }
          : { events: [], failure: { type: 'api_error', message: 'upstream stream ended before the response was complete' } },
      fail: (error) => failResponsesStream(state, error.message, error.type),
    },
    observer,
  );
}
