import type { Target } from '../config/routes';
import type { ProxyError } from '../core/errors';
import type { MessageAccumulator } from '../protocol/accumulate';
import type { MessagesRequest } from '../protocol/types';

export type Operation = 'messages' | 'countTokens';

/** How a response ended, as recorded in `traces.end_reason`. */
export type EndReason = 'complete' | 'error' | 'client_abort' | 'upstream_error';

/** An Anthropic-style error: what a failed call or a broken stream ended with. */
export interface CallError {
  type: string;
  message: string;
}

/** One try at one target, as recorded in `traces.attempts`. */
export interface Attempt {
  /** Where the target is configured: `ROUTES[0]`, `ROUTES[0].fallbacks[1]`. */
  target: string;
  provider: string;
  url: string;
  /** The secret name of the server-held key sent (never the key itself); absent when none was. */
  key?: string;
  /** The upstream's HTTP status, or null when no answer came. */
  status: number | null;
  error: string | null;
  ms: number;
}

/** Raw bytes of a relayed response body, kept by reference as they pass (decoded only after the response). */
export interface CapturedBytes {
  kind: 'bytes';
  chunks: Uint8Array[];
  bytes: number;
  sse: boolean;
}

/** A response the proxy produced itself from translated events or a translated body. */
export interface CapturedMessage {
  kind: 'message';
  /** For streams: the events sent, accumulated into the final message. */
  accumulator?: MessageAccumulator;
  /** For whole answers: the body sent, and its JSON text when already serialised. */
  body?: unknown;
  text?: string;
  bytes: number;
}

export type CapturedResponse = CapturedBytes | CapturedMessage;

/**
 * What the upstream layer reports about the call it makes, as it happens. The recording layer
 * implements it; nothing here knows how (or whether) it is stored.
 */
export interface CallObserver {
  /** The request's id (the `x-trace-id`), used where an answer needs a request id. */
  readonly id: string;
  /** The provider and model a target is sent. */
  target(provider: string, model: string | null): void;
  /** The request as sent to the target when the proxy translated it; null when it went as received. */
  upstreamRequest(text: string | null): void;
  /** A finished try at a target (its URL becomes the trace's target URL). */
  attempt(attempt: Attempt): void;
  /** The first byte of the upstream's answer arrived. */
  firstByte(): void;
  /** What the client is sent, captured for the trace. */
  response(captured: CapturedResponse): void;
  /** The answer's body is relayed: the record is complete only once `end` is called. */
  expectBody(): void;
  /** How the answer ended; only the first call counts. */
  end(reason: EndReason, error?: CallError): void;
}

/** One client request, parsed and routed. */
export interface ProviderCall {
  operation: Operation;
  /** The parsed request body. */
  body: MessagesRequest;
  /** The body exactly as the client sent it, forwarded as is where the format allows. */
  bodyText: string;
  clientHeaders: Headers;
  observer: CallObserver;
}

/** Hands a provider control over the upstream call once its response has arrived. */
export interface UpstreamControl {
  /** How long the body may stay silent. */
  idleTimeoutMs: number;
  /** Stops the response deadline: a stream is watched for silences instead. */
  clearDeadline(): void;
}

/** A request for one target, ready to send (and to send again on a retry). */
export interface PreparedRequest {
  url: string;
  init: { method: 'POST' | 'GET'; headers: Headers; body?: string };
  /** The client's answer from the target's success response; streams start here. */
  respond(upstream: Response, control: UpstreamControl): Promise<Response>;
  /** The client's answer from the target's failure: status ≥ 400, body already read. */
  fail(status: number, bodyText: string, headers: Headers): Response | ProxyError;
}

/** What a target is sent for authentication: header name → value. */
export type UpstreamAuth = Record<string, string>;

/** An upstream protocol: turns Anthropic-format calls into requests for a target and back. */
export interface Provider {
  /** The request to send to this target, or an answer made without one. */
  prepare(call: ProviderCall, target: Target, auth: UpstreamAuth): PreparedRequest | Response;
}
