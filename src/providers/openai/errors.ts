import { clientStatusFor, errorTypeForStatus, ProxyError } from '../../core/errors';

export interface UpstreamErrorContext {
  host: string;
  /** Estimated prompt tokens, for a context-overflow message that names no numbers. */
  promptEstimate: number;
}

/**
 * An OpenAI-style error answer (before any stream byte) → the Anthropic error a Claude client
 * understands: the status its retry logic keys on, `retry-after` kept, and context overflows
 * worded the way Claude Code recognises so it compacts instead of failing.
 */
export function fromUpstreamError(status: number, bodyText: string, headers: Headers, context: UpstreamErrorContext): ProxyError {
  const detail = parseError(bodyText);
  const message = detail.message || bodyText.slice(0, 500) || `HTTP ${status}`;

  const overflow = contextOverflow(message, detail.code, context.promptEstimate);
  if (overflow) return new ProxyError('invalid_request_error', overflow, 400);

  const retryHeaders = pick(headers, ['retry-after', 'retry-after-ms']);
  const text = `${context.host}: ${message}`;
  if (detail.code === 'insufficient_quota' || detail.type === 'insufficient_quota') {
    // Out of credit is permanent: tell the SDK not to retry.
    return new ProxyError('billing_error', text, 402, { 'x-should-retry': 'false' });
  }
  const type = errorTypeForStatus(status);
  return new ProxyError(type, text, clientStatusFor(status), type === 'rate_limit_error' || type === 'overloaded_error' ? retryHeaders : undefined);
}

interface ErrorDetail {
  message: string;
  type: string;
  code: string;
}

function parseError(bodyText: string): ErrorDetail {
  try {
    const body = JSON.parse(bodyText) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = (Array.isArray(body) ? body[0]?.error : body.error) as { message?: unknown; type?: unknown; code?: unknown } | string | undefined;
    if (typeof error === 'string') return { message: error, type: '', code: '' };
    if (error && typeof error === 'object') {
      return { message: String(error.message ?? ''), type: String(error.type ?? ''), code: String(error.code ?? '') };
    }
    const message = body.message ?? body.detail;
    return { message: typeof message === 'string' ? message : '', type: '', code: '' };
  } catch {
    return { message: '', type: '', code: '' };
  }
}

/**
 * Claude Code reacts to two messages: `prompt is too long: M tokens > N maximum` (it compacts the
 * conversation) and ``input length and `max_tokens` exceed context limit: X + Y > Z`` (it retries
 * with a smaller max_tokens). Rewrites the upstream's own wording into them.
 */
export function contextOverflow(message: string, code: string, promptEstimate: number): string | null {
  // vLLM: "maximum context length is 32768 tokens. However, you requested 40000 tokens (35000 in the messages, 5000 in the completion)"
  const split = /maximum context length is (\d+) tokens.*?\((\d+) in the messages, (\d+) in the completion\)/is.exec(message);
  if (split) {
    const [, limit, input, output] = split.map(Number) as [number, number, number, number];
    return input < limit
      ? `input length and \`max_tokens\` exceed context limit: ${input} + ${output} > ${limit}`
      : `prompt is too long: ${input} tokens > ${limit} maximum`;
  }
  const patterns: [RegExp, number, number][] = [
    // OpenAI, DeepSeek: "maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens"
    [/maximum context length is (\d+) tokens.*?resulted in (\d+) tokens/is, 2, 1],
    [/maximum context length is (\d+) tokens.*?requested (\d+) tokens/is, 2, 1],
    // Gemini: "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)"
    [/input token count \(?(\d+)\)? exceeds the maximum number of tokens allowed \(?(\d+)\)?/i, 1, 2],
    // llama.cpp / Ollama: "the request exceeds the available context size (8192 tokens)" / "prompt (9000 tokens) exceeds context (8192)"
    [/\((\d+) tokens\) exceeds (?:the )?(?:context|available context size) \(?(\d+)/i, 1, 2],
  ];
  for (const [pattern, promptGroup, limitGroup] of patterns) {
    const match = pattern.exec(message);
    if (match) return `prompt is too long: ${match[promptGroup]} tokens > ${match[limitGroup]} maximum`;
  }
  if (
    code === 'context_length_exceeded' ||
    /context(?: length| window| size)?.{0,40}(exceed|too long|too large)|too many tokens|exceeds? .{0,20}context/i.test(message)
  ) {
    const limit = /(\d{4,}) tokens/.exec(message)?.[1];
    const limitValue = limit ? Number(limit) : Math.max(1, promptEstimate - 1);
    return `prompt is too long: ${Math.max(promptEstimate, limitValue + 1)} tokens > ${limitValue} maximum`;
  }
  return null;
}

function pick(headers: Headers, names: string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = headers.get(name);
    if (value) out[name] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
