import { estimateRequestTokens } from '../../protocol/tokens';
import { joinUrl } from '../../upstream/http';
import type { StreamTransform } from '../../upstream/pump';
import type { CallObserver, PreparedRequest, Provider } from '../../upstream/types';
import { countTokensLocally, messageAnswer, readJsonAnswer, sessionOf, streamedAnswer, upstreamHeaders } from '../openai';
import { fromUpstreamError } from '../openai/errors';
import { type DroppableParam, dropRefused, targetKey, withoutRefused } from '../openai/refused-params';
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
    observer.upstreamRequest(payload, body);
    const host = new URL(url).host;
    const context: ResponsesAnswerContext = { requestedModel: request.model, toolNames, targetModel: model };
    const upstreamError = (status: number, text: string, headers: Headers) =>
      fromUpstreamError(status, text, headers, { host, promptEstimate: estimateRequestTokens(request) });

    const prepared: PreparedRequest = {
      url,
      init: { method: 'POST', headers: upstreamHeaders(call, auth, request.stream === true), body: payload },
      async respond(upstream, control) {
        if (request.stream && upstream.body) return streamedAnswer(upstream.body, responsesStreamTransform(context, observer), observer, control);
        const { text, json: response } = await readJsonAnswer<ResponsesResponse>(upstream, control, observer, host);
        if (response.status === 'failed' || !Array.isArray(response.output)) {
          // A failed response, or an error object where the answer should be.
          throw upstreamError(response.error || response.status === 'failed' ? 500 : 502, text, upstream.headers);
        }
        return messageAnswer(fromResponsesResponse(response, context), upstream, observer);
      },
      fail: (status, text, headers) => upstreamError(status, text, headers),
      retryWithout: dropRefused({
        key: refusals,
        body: fields,
        params: DROPPABLE,
        resend(payload) {
          observer.upstreamRequest(payload, body);
          prepared.init.body = payload;
        },
      }),
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
