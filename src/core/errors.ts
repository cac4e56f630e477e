/** Error types of the Anthropic API, each with the status Anthropic sends it with. */
export const ERROR_STATUS = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
} as const;

export type AnthropicErrorType = keyof typeof ERROR_STATUS;

/**
 * The one status → error type table, for errors that arrive with a status and no Anthropic type
 * (an upstream's, a runtime's). Statuses not listed: 5xx is `api_error`, anything else a client error.
 */
const STATUS_TYPE: Readonly<Record<number, AnthropicErrorType>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  413: 'request_too_large',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'overloaded_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/** The Anthropic error type that fits an HTTP status. */
export function errorTypeForStatus(status: number): AnthropicErrorType {
  return STATUS_TYPE[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/**
 * The status a client is sent for an upstream's failure: the status Anthropic uses for its type,
 * except that a client error keeps its own 4xx (a 409 stays a 409; 422 is Anthropic's 400).
 */
export function clientStatusFor(status: number): number {
  const type = errorTypeForStatus(status);
  if (type === 'invalid_request_error') return status >= 400 && status < 500 && status !== 422 ? status : 400;
  return ERROR_STATUS[type];
}

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id?: string;
}

/** An error the proxy answers with, in Anthropic's format. Thrown anywhere on the request path. */
export class ProxyError extends Error {
  readonly status: number;
  readonly type: AnthropicErrorType;
  readonly headers: Record<string, string> | undefined;

  constructor(type: AnthropicErrorType, message: string, status?: number, headers?: Record<string, string>) {
    super(message);
    this.name = 'ProxyError';
    this.type = type;
    this.status = status ?? ERROR_STATUS[type];
    this.headers = headers;
  }
}

/** The status a client that went away is recorded with (nginx's convention): it never sees it. */
export const CLIENT_CLOSED_STATUS = 499;

/** The error type recorded for a client that went away; not an Anthropic type, and not a failure. */
export const CLIENT_ABORT = 'client_abort';

export function errorBody(type: string, message: string, requestId?: string): AnthropicErrorBody {
  const body: AnthropicErrorBody = { type: 'error', error: { type, message } };
  if (requestId) body.request_id = requestId;
  return body;
}

export function errorResponse(err: ProxyError, requestId?: string): Response {
  const headers = new Headers(err.headers);
  headers.set('content-type', 'application/json');
  return new Response(JSON.stringify(errorBody(err.type, err.message, requestId)), { status: err.status, headers });
}

/** An error's message, whatever was thrown. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The one definition of a failed request: it has an error type, and the client did not simply go
 * away. Storage's SQL (`isError` in the schema) says the same.
 */
export function isFailure(errorType: string | null | undefined): boolean {
  return errorType != null && errorType !== CLIENT_ABORT;
}
