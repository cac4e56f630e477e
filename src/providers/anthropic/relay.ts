import { relayedResponseHeaders } from '../../upstream/http';
import { pump, relayWhole, type StreamTransform } from '../../upstream/pump';
import { relayEventStream } from '../../upstream/relay';
import type { CallObserver, CapturedBytes, UpstreamControl } from '../../upstream/types';

/**
 * A platform's answer in Anthropic's format, relayed to the client: an event stream through the
 * pump (passed through, or translated by `transform` when the platform frames it its own way),
 * a JSON answer whole. `request-id` carries the platform's own id for the request when it sent one.
 */
export function relayAnthropicAnswer(
  upstream: Response,
  control: UpstreamControl,
  observer: CallObserver,
  options: { requestId: string | null; transform?: (capture: CapturedBytes) => StreamTransform },
): Response {
  // Platforms send a whole answer's headers once it is written: from here on the body is
  // watched for silences instead of the deadline.
  control.clearDeadline();
  const sse = (upstream.headers.get('content-type') ?? '').includes('text/event-stream');
  const headers =
    options.transform || sse
      ? new Headers({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
      : relayedResponseHeaders(upstream.headers, true); // platforms are always reached on the owner's credentials
  headers.set('request-id', options.requestId ?? observer.id);
  if (!upstream.body) return new Response(null, { status: upstream.status, headers });
  const capture: CapturedBytes = { kind: 'bytes', chunks: [], bytes: 0, sse: sse || options.transform !== undefined };
  observer.response(capture);
  const body = options.transform
    ? pump(upstream.body, options.transform(capture), observer, { idleTimeoutMs: control.idleTimeoutMs })
    : sse
      ? relayEventStream(upstream.body, observer, capture, control)
      : relayWhole(upstream.body, observer, capture);
  return new Response(body, { status: upstream.status, headers });
}
