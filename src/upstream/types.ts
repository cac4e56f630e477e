import type { Target } from '../config/routes';
import type { UpstreamCredentials } from './auth';
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
  /** The upstream's own id for the request (`request-id`, `x-request-id`, Bedrock's `x-amzn-requestid`), when it sent one. */
  requestId?: string;
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
  upstreamRequest(text: string | null, value?: unknown): void;
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
  /** A credential the proxy obtained for the call (an access token): never stored, like the configured secrets. */
  secret(value: string): void;
}

/** One client request, parsed and routed. */
export interface ProviderCall {
  operation: Operation;
  /** The parsed request body. */
  body: MessagesRequest;
  /** The body exactly as the client sent it, forwarded as is where the format allows (no copy is made). */
  bodyBytes: ArrayBuffer;
  /** The same body as text, decoded when asked for. */
  readonly bodyText: string;
  clientHeaders: Headers;
  observer: CallObserver;
}

/** Hands a provider control over the upstream call once its response has arrived. */
export interface UpstreamControl {
  /** How long the body may stay silent. */
  idleTimeoutMs: number;
  /** Stops the response deadline: a stream is watched for silences instead. */
  clearDeadline(): void;
  /** Fires when the client disconnects. */
  clientSignal?: AbortSignal;
}

/**
 * Credentials made for each try rather than once: a signature over the moment of sending (AWS
 * SigV4), or a short-lived access token (Vertex). Failures are thrown as `ProxyError`s.
 */
export interface RequestSigner {
  /** The headers for one try of the request. */
  headers(init: PreparedRequest['init']): Promise<Headers>;
  /** The upstream refused the credential (401): renew it. True when one more try with the new one is worth making. */
  renew?(): Promise<boolean>;
}

/** A request for one target, ready to send (and to send again on a retry). */
export interface PreparedRequest {
  url: string;
  /** `body` may be a function: a fresh stream for each try (a stream can be sent only once). */
  init: { method: 'POST' | 'GET'; headers: Headers; body?: string | ArrayBuffer | (() => ReadableStream<Uint8Array>) };
  /** Signs or authorises each try; absent, `init` goes as it is. */
  signer?: RequestSigner;
  /** The client's answer from the target's success response; streams start here. */
  respond(upstream: Response, control: UpstreamControl): Promise<Response>;
  /** The client's answer from the target's failure: status ≥ 400, body already read. */
  fail(status: number, bodyText: string, headers: Headers): Response | ProxyError;
  /**
   * A client error (4xx) that something the proxy added on its own may have caused (a reasoning
   * parameter on a server that takes none): the provider drops it from `init` and says what it
   * did, and the request goes once more. Null: the error stands.
   */
  retryWithout?(status: number, bodyText: string): string | null;
}

/** What a target is sent for authentication: header name → value. */
export type UpstreamAuth = Record<string, string>;

const decoder = new TextDecoder();

/** A ProviderCall over a body's bytes: its text is decoded only if a provider asks for it. */
export function providerCall(fields: Omit<ProviderCall, 'bodyText'>): ProviderCall {
  return {
    ...fields,
    get bodyText() {
      return decoder.decode(fields.bodyBytes);
    },
  };
}

/** Looks up the value of a secret (or var) a route names. */
export type SecretLookup = (name: string) => string | null;

/** An upstream protocol: turns Anthropic-format calls into requests for a target and back. */
export interface Provider {
  /** The request to send to this target (with `auth.headers`), or an answer made without one. `secret` reads the credentials a target names. */
  prepare(call: ProviderCall, target: Target, auth: UpstreamCredentials, secret: SecretLookup): PreparedRequest | Response;
}
