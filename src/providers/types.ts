import type { MessagesRequest } from '../anthropic/types';
import type { UpstreamAuth } from '../http/auth';
import type { Route } from '../routing/config';
import type { TraceContext } from '../tracing/trace';

/** One client request, parsed and routed, ready for a provider to send. */
export interface ProviderCall {
  /** The parsed request body. */
  body: MessagesRequest;
  /** The body exactly as the client sent it, forwarded as is where the format allows. */
  bodyText: string;
  route: Route;
  auth: UpstreamAuth;
  clientHeaders: Headers;
  trace: TraceContext;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
}

/** An upstream protocol: answers Anthropic-format requests with Anthropic-format responses. */
export interface Provider {
  messages(call: ProviderCall): Promise<Response>;
  countTokens(call: ProviderCall): Promise<Response>;
}
