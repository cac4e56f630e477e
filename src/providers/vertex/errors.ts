import { type AnthropicErrorType, ERROR_STATUS, type ProxyError } from '../../core/errors';
import { platformFailure } from '../anthropic/platforms';

export const VERTEX = 'Vertex AI';

/**
 * A Vertex AI error answer → the client's Anthropic error. The model's own errors arrive in
 * Anthropic's format and keep their type; the platform's (`{"error": {"code", "message",
 * "status": "RESOURCE_EXHAUSTED"}}`, sometimes in an array) are mapped by their HTTP status.
 */
export function fromVertexError(status: number, bodyText: string, promptEstimate: number): ProxyError {
  let type: AnthropicErrorType | null = null;
  let message = bodyText.slice(0, 500);
  try {
    const parsed = JSON.parse(bodyText) as unknown;
    const body = (Array.isArray(parsed) ? parsed[0] : parsed) as { type?: unknown; error?: { type?: unknown; message?: unknown; status?: unknown } };
    const error = body?.error;
    if (error && typeof error.message === 'string') message = typeof error.status === 'string' ? `${error.status}: ${error.message}` : error.message;
    if (body?.type === 'error' && typeof error?.type === 'string' && error.type in ERROR_STATUS) type = error.type as AnthropicErrorType;
  } catch {
    // not JSON: the text is the message
  }
  return platformFailure(VERTEX, status, type, message, promptEstimate);
}
