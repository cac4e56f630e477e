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

/** The Anthropic error type that fits an HTTP status, for errors that arrive without one. */
export function errorTypeForStatus(status: number): AnthropicErrorType {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 502:
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}
