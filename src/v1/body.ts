import type { Context } from 'hono';
import { ProxyError } from '../core/errors';
import type { V1Env } from './tracing';

const decoder = new TextDecoder();

/** Reads and parses a JSON request body once, recording it as received. */
export async function readJsonBody(c: Context<V1Env>): Promise<{ text: string; json: unknown }> {
  const type = c.req.header('content-type');
  if (type && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new ProxyError('invalid_request_error', `content-type must be application/json, not ${type.slice(0, 100)}`);
  }
  const bytes = await c.req.arrayBuffer();
  const text = decoder.decode(bytes);
  c.get('recorder').received(text, bytes.byteLength);
  if (text.trim() === '') throw new ProxyError('invalid_request_error', 'request body is empty: expected a JSON object');
  try {
    return { text, json: JSON.parse(text) };
  } catch (err) {
    throw new ProxyError('invalid_request_error', `request body is not valid JSON: ${(err as Error).message}`);
  }
}
