import type { AnthropicErrorType, ProxyError } from '../../core/errors';
import type { CallError } from '../../upstream/types';
import { platformFailure } from '../anthropic/platforms';

/**
 * Bedrock's error kinds (the `x-amzn-errortype` header, `__type` in the body, or `:exception-type`
 * of a stream frame) → the Anthropic type a Claude client acts on. Throttling is a rate limit
 * (retried, honoured by clients); a model not ready or a service unavailable is an overload
 * (retried; clients back off on 529). Kinds not listed are mapped by their HTTP status.
 */
const BEDROCK_ERROR_TYPES: Readonly<Record<string, AnthropicErrorType>> = {
  throttlingexception: 'rate_limit_error',
  servicequotaexceededexception: 'rate_limit_error',
  modelnotreadyexception: 'overloaded_error',
  serviceunavailableexception: 'overloaded_error',
  internalserverexception: 'api_error',
  modelerrorexception: 'api_error',
  modelstreamerrorexception: 'api_error',
  modeltimeoutexception: 'timeout_error',
  validationexception: 'invalid_request_error',
  accessdeniedexception: 'permission_error',
  resourcenotfoundexception: 'not_found_error',
};

export const BEDROCK = 'Amazon Bedrock';

/** `ThrottlingException:http://internal.amazon.com/…` → `throttlingexception`. */
function kindOf(raw: string | null | undefined): string {
  return (raw ?? '').split(':')[0]!.split('#').at(-1)!.trim().toLowerCase();
}

function messageOf(bodyText: string): { kind: string; message: string } {
  try {
    const body = JSON.parse(bodyText) as { message?: unknown; Message?: unknown; __type?: unknown };
    const message = body.message ?? body.Message;
    return { kind: kindOf(typeof body.__type === 'string' ? body.__type : ''), message: typeof message === 'string' ? message : bodyText.slice(0, 500) };
  } catch {
    return { kind: '', message: bodyText.slice(0, 500) };
  }
}

/** A Bedrock error answer (before any stream byte) → the client's Anthropic error. */
export function fromBedrockError(status: number, bodyText: string, headers: Headers, promptEstimate: number): ProxyError {
  const parsed = messageOf(bodyText);
  const kind = kindOf(headers.get('x-amzn-errortype')) || parsed.kind;
  return platformFailure(BEDROCK, status, BEDROCK_ERROR_TYPES[kind] ?? null, parsed.message, promptEstimate);
}

/** An exception frame inside the event stream (`:exception-type` and its `{"message"}` payload) → the stream's error. */
export function fromStreamException(exceptionType: string, payloadText: string): CallError {
  const { message } = messageOf(payloadText);
  const kind = kindOf(exceptionType);
  return { type: BEDROCK_ERROR_TYPES[kind] ?? 'api_error', message: `${BEDROCK}: ${exceptionType}: ${message}` };
}
