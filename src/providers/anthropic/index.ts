import type { Provider, ProviderCall } from '../types';
import { fetchUpstream, forwardedHeaders, joinUrl, relayedResponseHeaders } from '../upstream';
import { relayBody } from '../../tracing/relay';

/**
 * The Anthropic Messages API upstream: the request goes as the client sent it (only the model
 * is rewritten when the route names one) and the answer comes back byte for byte.
 */
export const anthropicProvider: Provider = {
  messages: (call) => forward(call, '/v1/messages'),
  countTokens: (call) => forward(call, '/v1/messages/count_tokens'),
};

async function forward(call: ProviderCall, path: string): Promise<Response> {
  const { body, route, trace } = call;
  const targetModel = route.model ?? body.model;
  trace.row.targetModel = targetModel;
  // Re-serialise only when the model changes; otherwise forward the client's bytes.
  const payload = targetModel === body.model ? call.bodyText : JSON.stringify({ ...body, model: targetModel });
  const upstream = await fetchUpstream(
    joinUrl(route.baseUrl, path),
    { method: 'POST', headers: forwardedHeaders(call.clientHeaders, call.auth), body: payload, signal: call.signal },
    trace,
  );
  const headers = relayedResponseHeaders(upstream.headers);
  if (!upstream.body) {
    trace.end(upstream.ok ? 'complete' : 'error');
    return new Response(null, { status: upstream.status, headers });
  }
  const sse = (upstream.headers.get('content-type') ?? '').includes('text/event-stream');
  return new Response(relayBody(upstream.body, trace, sse), { status: upstream.status, headers });
}
