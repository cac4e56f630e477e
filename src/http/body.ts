import type { Context } from 'hono';
import type { MessagesRequest } from '../anthropic/types';
import type { AppEnv } from './app-env';
import { ProxyError } from './errors';

const decoder = new TextDecoder();

/** Reads and parses a JSON request body once, recording it on the trace as received. */
export async function readJsonBody(c: Context<AppEnv>): Promise<{ text: string; json: unknown }> {
  const trace = c.get('trace');
  const type = c.req.header('content-type');
  if (type && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new ProxyError('invalid_request_error', `content-type must be application/json, not ${type.slice(0, 100)}`);
  }
  const bytes = await c.req.arrayBuffer();
  const text = decoder.decode(bytes);
  trace.row.requestBody = text;
  trace.row.requestBytes = bytes.byteLength;
  if (text.trim() === '') throw new ProxyError('invalid_request_error', 'request body is empty: expected a JSON object');
  try {
    return { text, json: JSON.parse(text) };
  } catch (err) {
    throw new ProxyError('invalid_request_error', `request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Claude Code's session: the header, else the session named inside `metadata.user_id`. */
export function sessionFromMetadata(body: MessagesRequest): string | null {
  const userId = body.metadata?.user_id;
  if (typeof userId !== 'string' || userId === '') return null;
  if (userId.startsWith('{')) {
    try {
      const parsed = JSON.parse(userId) as { session_id?: unknown };
      if (typeof parsed.session_id === 'string' && parsed.session_id) return parsed.session_id;
    } catch {
      // not JSON after all: fall through
    }
  }
  const legacy = /_session_([0-9a-f-]{8,})$/i.exec(userId);
  return legacy ? legacy[1]! : userId;
}
