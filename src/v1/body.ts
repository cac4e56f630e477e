import type { Context } from 'hono';
import { CLIENT_ABORT, CLIENT_CLOSED_STATUS, errorText, ProxyError } from '../core/errors';
import type { V1Env } from './tracing';

const decoder = new TextDecoder();

/**
 * Reads and parses a JSON request body once, recording it as received. Only the bytes are kept:
 * they go upstream as they came and are decoded for the trace after the answer, so a large body
 * is held twice at most (its bytes and its parsed form), not four times.
 */
export async function readJsonBody(c: Context<V1Env>): Promise<{ bytes: ArrayBuffer; json: unknown }> {
  const type = c.req.header('content-type');
  if (type && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new ProxyError('invalid_request_error', `content-type must be application/json, not ${type.slice(0, 100)}`);
  }
  const recorder = c.get('recorder');
  let bytes: ArrayBuffer;
  try {
    bytes = await readLimited(c.req.raw, c.get('config').maxRequestBytes);
  } catch (err) {
    if (err instanceof ProxyError) throw err;
    // The client went away while still sending: not a failure of the proxy.
    const message = `client disconnected while sending its request body: ${errorText(err)}`;
    recorder.end('client_abort', { type: CLIENT_ABORT, message });
    throw new ProxyError('api_error', message, CLIENT_CLOSED_STATUS);
  }
  recorder.received(bytes);
  const text = decoder.decode(bytes);
  if (text.trim() === '') throw new ProxyError('invalid_request_error', 'request body is empty: expected a JSON object');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ProxyError('invalid_request_error', `request body is not valid JSON: ${(err as Error).message}`);
  }
  recorder.parsed(json);
  return { bytes, json };
}

function tooLarge(maxBytes: number): ProxyError {
  return new ProxyError('request_too_large', `request body is larger than ${maxBytes} bytes (MAX_REQUEST_BYTES)`);
}

/**
 * The request body, refused past `maxBytes`: from its content-length before any byte is read, or
 * as soon as a chunked body passes the limit. Chunks are joined once, at the end (no buffer that
 * doubles as it grows).
 */
async function readLimited(request: Request, maxBytes: number): Promise<ArrayBuffer> {
  if (!request.body) return new ArrayBuffer(0);
  const declared = request.headers.get('content-length');
  if (declared !== null && !request.headers.has('transfer-encoding')) {
    if (Number(declared) > maxBytes) throw tooLarge(maxBytes);
    return request.arrayBuffer();
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(read.value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}
