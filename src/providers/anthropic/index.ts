import { bytesStream, forwardedHeaders, joinUrl, relayedResponseHeaders } from '../../upstream/http';
import { relayWhole } from '../../upstream/pump';
import { relayEventStream } from '../../upstream/relay';
import type { UpstreamCredentials } from '../../upstream/auth';
import type { CapturedBytes, Provider } from '../../upstream/types';

const encoder = new TextEncoder();

/**
 * The Anthropic Messages API upstream: the request goes as the client sent it (only the model
 * is rewritten when the route names one) and the answer comes back byte for byte, errors too.
 */
export const anthropicProvider: Provider = {
  prepare(call, target, auth) {
    const { body, observer } = call;
    const targetModel = target.model ?? body.model;
    observer.target('anthropic', targetModel);
    observer.upstreamRequest(null);
    // Re-serialise only when the model changes; otherwise forward the client's bytes, uncopied.
    const payload = targetModel === body.model ? () => bytesStream(call.bodyBytes) : JSON.stringify({ ...body, model: targetModel });
    return {
      url: joinUrl(target.baseUrl, call.operation === 'messages' ? '/v1/messages' : '/v1/messages/count_tokens'),
      init: { method: 'POST', headers: forwardedHeaders(call.clientHeaders, auth), body: payload },
      async respond(upstream, control) {
        // Anthropic sends a whole answer's headers once it is written: from here on the body is
        // watched for silences instead of the deadline.
        control.clearDeadline();
        const headers = relayedResponseHeaders(upstream.headers, auth.serverKey);
        if (!upstream.body) return new Response(null, { status: upstream.status, headers });
        const sse = (upstream.headers.get('content-type') ?? '').includes('text/event-stream');
        const capture: CapturedBytes = { kind: 'bytes', chunks: [], bytes: 0, sse };
        observer.response(capture);
        const body = sse ? relayEventStream(upstream.body, observer, capture, control) : relayWhole(upstream.body, observer, capture);
        return new Response(body, { status: upstream.status, headers });
      },
      fail(status, bodyText, headers) {
        const bytes = encoder.encode(bodyText);
        observer.response({ kind: 'bytes', chunks: [bytes], bytes: bytes.byteLength, sse: false });
        return new Response(bytes, { status, headers: relayedResponseHeaders(headers, auth.serverKey) });
      },
    };
  },
};

/** The request that lists an Anthropic upstream's models (GET /v1/models), with the client's auth for it. */
export function modelListRequest(baseUrl: string, clientHeaders: Headers, auth: UpstreamCredentials): { url: string; init: RequestInit } {
  return { url: `${joinUrl(baseUrl, '/v1/models')}?limit=1000`, init: { method: 'GET', headers: forwardedHeaders(clientHeaders, auth) } };
}
