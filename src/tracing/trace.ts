import type { MessageAccumulator } from '../anthropic/accumulate';
import type { Attempt, NewTrace } from '../db/schema';

export type { Attempt };
import { newTraceId } from './ids';
import { redactHeaders } from './redact';

/** How a response ended, as recorded in `traces.end_reason`. */
export type EndReason = 'complete' | 'error' | 'client_abort' | 'upstream_error';

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

/**
 * Everything known about one client request while it is served. The request path only sets
 * fields and keeps references; decoding, summarising and writing happen in `waitUntil`.
 */
export class TraceContext {
  readonly id: string;
  readonly startedAt: number;
  readonly row: NewTrace;
  /** Credential values seen on this request, scrubbed from every stored string. */
  readonly secrets = new Set<string>();
  response: CapturedBytes | CapturedMessage | null = null;
  /** Tries at targets, in order (retries and fallbacks). */
  readonly attempts: Attempt[] = [];
  /** Set while a response body is relayed; resolves once it has ended, however it ended. */
  ended: Promise<void> | null = null;
  private settle: (() => void) | null = null;

  constructor(request: Request, path: string, now = Date.now()) {
    this.startedAt = now;
    this.id = newTraceId(now);
    const headers = request.headers;
    this.row = {
      id: this.id,
      createdAt: new Date(now),
      method: request.method,
      path,
      sessionId: headers.get('x-claude-code-session-id'),
      requestHeaders: redactHeaders(headers),
      clientIp: headers.get('cf-connecting-ip') ?? headers.get('x-real-ip'),
      userAgent: headers.get('user-agent'),
    };
  }

  /** The response body will be relayed: the trace waits for `end()` before it is written. */
  expectBody(): void {
    if (!this.ended) this.ended = new Promise((resolve) => (this.settle = resolve));
  }

  /** Marks the first byte received from the upstream. */
  firstByte(): void {
    this.row.ttftMs ??= Date.now() - this.startedAt;
  }

  /** Records how the response ended; only the first call counts. */
  end(reason: EndReason, error?: { type: string; message: string }): void {
    if (this.row.endReason) return;
    this.row.endReason = reason;
    this.row.durationMs = Date.now() - this.startedAt;
    if (error) {
      this.row.errorType = error.type;
      this.row.errorMessage = error.message;
    }
    this.settle?.();
  }
}
