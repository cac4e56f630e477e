import { estimateRequestTokens } from '../../protocol/tokens';
import type { CallObserver, PreparedRequest, Provider, RequestSigner } from '../../upstream/types';
import { relayAnthropicAnswer } from '../anthropic/relay';
import { checkedPlatformModelId } from '../platform-models';
import { fromVertexError } from './errors';
import { vertexModelId } from './models';
import { countTokensRequest, predictRequest } from './request';
import { accessToken, parseServiceAccount, refuseToken, type ServiceAccountKey } from './token';

/**
 * Claude on Google Vertex AI: rawPredict / streamRawPredict (ordinary Anthropic SSE, passed
 * through) and the count-tokens endpoint, with an OAuth access token from the route's service
 * account, cached per isolate and renewed once when Vertex refuses it mid-life.
 */
export const vertexProvider: Provider = {
  prepare(call, target, _auth, secret) {
    const { body: request, observer } = call;
    const modelId = checkedPlatformModelId(vertexModelId(target.model ?? request.model), 'vertex');
    observer.target('vertex', modelId);
    const counting = call.operation === 'countTokens';
    const betaHeader = call.clientHeaders.get('anthropic-beta');
    const built = counting ? countTokensRequest(target, modelId, request, betaHeader) : predictRequest(target, modelId, request, betaHeader);
    const payload = JSON.stringify(built.body);
    observer.upstreamRequest(payload, built.body);
    const headers = new Headers({ 'content-type': 'application/json', accept: request.stream && !counting ? 'text/event-stream' : 'application/json' });
    if (built.betas.length > 0) headers.set('anthropic-beta', built.betas.join(','));
    const secretName = target.serviceAccount ?? '';
    const prepared: PreparedRequest = {
      url: built.url,
      init: { method: 'POST', headers, body: payload },
      // upstreamAuth has checked that the secret is set.
      signer: tokenSigner(parseServiceAccount(secret(secretName) ?? '', secretName), secretName, observer),
      async respond(upstream, control) {
        const requestId = upstream.headers.get('request-id') ?? upstream.headers.get('x-request-id');
        return relayAnthropicAnswer(upstream, control, observer, { requestId });
      },
      fail(status, bodyText) {
        if (counting) {
          // Counting is advisory: a region or model without the endpoint gets the local estimate.
          const answer = { input_tokens: estimateRequestTokens(request) };
          observer.response({ kind: 'message', body: answer, bytes: 0 });
          return Response.json(answer, { headers: { 'request-id': observer.id } });
        }
        return fromVertexError(status, bodyText, estimateRequestTokens(request));
      },
    };
    return prepared;
  },
};

/** A bearer access token on each try; a refused one is dropped from the cache so the next try gets a new one. */
function tokenSigner(key: ServiceAccountKey, secretName: string, observer: CallObserver): RequestSigner {
  let used: string | null = null;
  return {
    async headers(init) {
      used = await accessToken(key, secretName);
      observer.secret(used);
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${used}`);
      return headers;
    },
    async renew() {
      if (used) refuseToken(key, used);
      return true;
    },
  };
}
