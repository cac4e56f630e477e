import { CLIENT_ABORT, errorTypeForStatus } from '../core/errors';
import { newTraceId } from '../core/ids';
import { redactHeaders } from '../core/redact';
import { type ClientIdentity, clientIp } from '../protocol/client';
import type { Attempt, CallError, CallObserver, CapturedResponse, EndReason } from '../upstream/types';
import { summarizeResponse } from './summarize';

/**
 * One client request, as it happened: what was asked, where it went, what came back, how long it
 * took. Produced once, when the answer has ended; the trace writer and spend accounting each
 * consume it. Field names are the trace columns'.
 */
export interface CompletedRequest {
  id: string;
  createdAt: Date;
  method: string;
  path: string;
  sessionId: string | null;
  /** Claude Code's subagent (`x-claude-code-agent-id`), and the agent that started it. */
  agentId: string | null;
  parentAgentId: string | null;
  /** Request headers, credentials redacted. */
  requestHeaders: Record<string, string>;
  clientIp: string | null;
  userAgent: string | null;
  requestedModel: string | null;
  stream: boolean;
  provider: string | null;
  targetModel: string | null;
  targetUrl: string | null;
  apiKeyName: string | null;
  /** The route that served the request: its `name`, else `ROUTES[i]`. */
  routeName: string | null;
  /** Why that route and target: the match, the conditions that held, the weighted choice. */
  routeReason: string | null;
  status: number | null;
  errorType: string | null;
  errorMessage: string | null;
  endReason: EndReason | null;
  stopReason: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadInputTokens: number | null;
  cacheCreationInputTokens: number | null;
  ttftMs: number | null;
  durationMs: number | null;
  attempts: Attempt[] | null;
  /** The body as received. */
  requestBody: string | null;
  /** The body as parsed when it was received (never changed since): what storage splits, without parsing it again. */
  requestJson?: unknown;
  requestBytes: number | null;
  /** The body as sent to the target, when the proxy translated it. */
  upstreamRequestBody: string | null;
  /** The value that body was serialised from. */
  upstreamRequestJson?: unknown;
  /** The answer; for streams, the final message reassembled from the events. */
  responseBody: string | null;
  responseBytes: number | null;
  /** Credentials the client presented and the call obtained (access tokens): scrubbed from everything stored, with the configured secrets. */
  secrets: ReadonlySet<string>;
  /** The proxy refused the request (401, 403, 429 of its own): no body of it is stored. */
  refused: boolean;
}

/**
 * Records one request while it is served. The request path only sets fields and keeps
 * references (the upstream layer through `CallObserver`); summarising happens in `complete()`,
 * after the answer has gone out.
 */
export class RequestRecorder implements CallObserver {
  readonly id: string;
  readonly startedAt: number;
  /** Set while a response body is relayed; resolves once it has ended, however it ended. */
  ended: Promise<void> | null = null;
  private settle: (() => void) | null = null;
  private readonly record: Omit<CompletedRequest, 'secrets' | 'refused'>;
  private readonly secrets = new Set<string>();
  private captured: CapturedResponse | null = null;
  private readonly attempts: Attempt[] = [];
  private refused = false;
  private requestBytes: ArrayBuffer | null = null;

  constructor(request: Request, path: string, now = Date.now()) {
    this.startedAt = now;
    this.id = newTraceId(now);
    const headers = request.headers;
    this.record = {
      id: this.id,
      createdAt: new Date(now),
      method: request.method,
      path,
      sessionId: headers.get('x-claude-code-session-id'),
      agentId: headers.get('x-claude-code-agent-id'),
      parentAgentId: headers.get('x-claude-code-parent-agent-id'),
      requestHeaders: redactHeaders(headers),
      clientIp: clientIp(headers),
      userAgent: headers.get('user-agent'),
      requestedModel: null,
      stream: false,
      provider: null,
      targetModel: null,
      targetUrl: null,
      apiKeyName: null,
      routeName: null,
      routeReason: null,
      status: null,
      errorType: null,
      errorMessage: null,
      endReason: null,
      stopReason: null,
      inputTokens: null,
      outputTokens: null,
      cacheReadInputTokens: null,
      cacheCreationInputTokens: null,
      ttftMs: null,
      durationMs: null,
      attempts: null,
      requestBody: null,
      // What the client says it sends; the body itself, once read, says for sure.
      requestBytes: contentLength(headers),
      upstreamRequestBody: null,
      responseBody: null,
      responseBytes: null,
    };
  }

  // What the /v1 surface learns about the request.

  /** The body as received: kept as bytes, decoded once the answer has gone. */
  received(bytes: ArrayBuffer): void {
    this.requestBytes = bytes;
    this.record.requestBytes = bytes.byteLength;
  }

  /** The body as parsed: nothing changes it afterwards (handlers and providers copy what they change). */
  parsed(json: unknown): void {
    this.record.requestJson = json;
  }

  /** The model asked for, and whether a stream was. */
  asked(model: string, stream: boolean): void {
    this.record.requestedModel = model;
    this.record.stream = stream;
  }

  /** The session, when the request names one in its body (the header wins). */
  session(id: string | null): void {
    this.record.sessionId ??= id;
  }

  /** Who the client is: the proxy key's name, and the credentials never to store. */
  client(identity: ClientIdentity): void {
    this.record.apiKeyName = identity.proxyKeyName;
    for (const credential of identity.secrets) this.secrets.add(credential);
  }

  /**
   * The proxy refused the request (authentication, a budget, a rate limit): the trace keeps who
   * tried what, never their upload.
   */
  refuse(error: CallError): void {
    this.refused = true;
    this.fail(error, true);
  }

  /** The route the request was sent down (before any target answers). */
  routed(provider: string): void {
    this.record.provider = provider;
  }

  /** Which route serves the request, and why (the routing decision, as the trace shows it). */
  routeChosen(name: string, reason: string): void {
    this.record.routeName = name;
    this.record.routeReason = reason;
  }

  /** Why the request failed, as the client is told; the first cause recorded wins unless `replace`. */
  fail(error: CallError, replace = false): void {
    if (replace || this.record.errorType === null) {
      this.record.errorType = error.type;
      this.record.errorMessage = error.message;
    }
  }

  /** The status the client was sent. A relayed body ends on its own; any other answer has ended. */
  finish(status: number): void {
    this.record.status = status;
    if (!this.ended) this.end(status < 400 ? 'complete' : 'error');
  }

  // CallObserver: what the upstream layer reports.

  target(provider: string, model: string | null): void {
    this.record.provider = provider;
    this.record.targetModel = model;
  }

  upstreamRequest(text: string | null, value?: unknown): void {
    this.record.upstreamRequestBody = text;
    this.record.upstreamRequestJson = value;
  }

  attempt(attempt: Attempt): void {
    this.attempts.push(attempt);
    // A fallback skipped for its key was never called.
    if (!attempt.error?.startsWith('skipped:')) this.record.targetUrl = attempt.url;
  }

  firstByte(): void {
    this.record.ttftMs ??= Date.now() - this.startedAt;
  }

  response(captured: CapturedResponse): void {
    this.captured = captured;
  }

  expectBody(): void {
    if (this.ended) return;
    this.ended = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  secret(value: string): void {
    this.secrets.add(value);
  }

  end(reason: EndReason, error?: CallError): void {
    if (this.record.endReason) return;
    this.record.endReason = reason;
    this.record.durationMs = Date.now() - this.startedAt;
    if (error) {
      this.record.errorType = error.type;
      this.record.errorMessage = error.message;
    }
    this.settle?.();
  }

  /**
   * The finished request. Call once the answer has ended (after `ended`): the response is
   * summarised (usage, stop reason, the reassembled message), and a failed status always
   * carries an error type.
   */
  complete(): CompletedRequest {
    const record: CompletedRequest = {
      ...this.record,
      attempts: this.attempts.length > 0 ? this.attempts : null,
      secrets: this.secrets,
      refused: this.refused,
    };
    if (this.requestBytes) record.requestBody = decoder.decode(this.requestBytes);
    if (this.captured) summarizeResponse(this.captured, record);
    if ((record.status ?? 0) >= 400 && record.errorType === null) {
      record.errorType = record.status === 499 ? CLIENT_ABORT : errorTypeForStatus(record.status!);
      record.errorMessage ??= `HTTP ${record.status}`;
    }
    return record;
  }
}

const decoder = new TextDecoder();

function contentLength(headers: Headers): number | null {
  const value = Number(headers.get('content-length'));
  return Number.isSafeInteger(value) && value >= 0 && headers.has('content-length') ? value : null;
}
