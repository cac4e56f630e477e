import { relayBody } from '../../tracing/relay';
import type { Provider } from '../types';
import { forwardedHeaders, joinUrl, relayedResponseHeaders } from '../upstream';

const encoder = new TextEncoder();

/**
 * The Anthropic Messages API upstream: the request goes as the client sent it (only the model
 * is rewritten when the route names one) and the answer comes back byte for byte, errors too.
 */
export const anthropicProvider: Provider = {
  prepare(call, target, auth) {
    const { body, trace } = call;
    const targetModel = target.model ?? body.model;
    trace.row.targetModel = targetModel;
    trace.row.upstreamRequestBody = null;
    // Re-serialise only when the model changes; otherwise forward the client's bytes.
    const payload = targetModel === body.model ? call.bodyText : JSON.stringify({ ...body, model: targetModel });
    return {
      url: joinUrl(target.baseUrl, call.operation === 'messages' ? '/v1/messages' : '/v1/messages/count_tokens'),
      init: { method: 'POST', headers: forwardedHeaders(call.clientHeaders, auth), body: payload },
      async respond(upstream, control) {
        // Anthropic sends a whole answer's headers once it is written: from here on the body is
        // watched for silences instead of the deadline.
        control.clearDeadline();
        const headers = relayedResponseHeaders(upstream.headers);
        if (!upstream.body) return new Response(null, { status: upstream.status, headers });
        const sse = (upstream.headers.get('content-type') ?? '').includes('text/event-stream');
        return new Response(relayBody(upstream.body, trace, sse, control.idleTimeoutMs), { status: upstream.status, headers });
      },
      fail(status, bodyText, headers) {
        const bytes = encoder.encode(bodyText);
        trace.response = { kind: 'bytes', chunks: [bytes], bytes: bytes.byteLength, sse: false };
        return new Response(bytes, { status, headers: relayedResponseHeaders(headers) });
      },
    };
  },
};
