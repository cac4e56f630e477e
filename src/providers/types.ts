import type { MessagesRequest } from '../anthropic/types';
import type { UpstreamAuth } from '../http/auth';
import type { ProxyError } from '../http/errors';
import type { Target } from '../routing/config';
import type { TraceContext } from '../tracing/trace';

export type Operation = 'messages' | 'countTokens';

/** One client request, parsed and routed. */
export interface ProviderCall {
  operation: Operation;
  /** The parsed request body. */
  body: MessagesRequest;
  /** The body exactly as the client sent it, forwarded as is where the format allows. */
  bodyText: string;
  clientHeaders: Headers;
  trace: TraceContext;
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

/** An upstream protocol: turns Anthropic-format calls into requests for a target and back. */
export interface Provider {
  /** The request to send to this target, or an answer made without one. */
  prepare(call: ProviderCall, target: Target, auth: UpstreamAuth): PreparedRequest | Response;
}
