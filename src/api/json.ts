import { isJsonText, jsonDepth } from '../core/json';
import { STORAGE_COLUMNS, type StorageColumn, withoutStorageColumns } from '../storage/body-read';
import type { FullTrace } from '../storage/queries';

/** The body columns of a trace: returned as stored, never rewritten. */
const BODIES = ['requestBody', 'upstreamRequestBody', 'responseBody'] as const;
type BodyField = (typeof BODIES)[number];

const TRUNCATED: Record<BodyField, 'requestBodyTruncated' | 'upstreamRequestBodyTruncated' | 'responseBodyTruncated'> = {
  requestBody: 'requestBodyTruncated',
  upstreamRequestBody: 'upstreamRequestBodyTruncated',
  responseBody: 'responseBodyTruncated',
};

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * API JSON for the proxy's own structures (lists, sessions, stats): snake_case keys like the
 * columns, ISO 8601 times. They never hold client data deeper than a row's fields.
 */
export function toApi(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toApi);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[snake(key)] = toApi(inner);
    return out;
  }
  return value;
}

/**
 * A JSON answer that carries stored bodies exactly as stored: the envelope is serialised with a
 * placeholder for each body, and the body's own text takes the placeholder's place. Nothing walks
 * a body (it may nest as deep as a client liked), and nothing re-serialises it.
 */
export class BodyJson {
  private readonly nonce = crypto.randomUUID();
  private readonly texts: string[] = [];

  /** A trace for the API: only its own fields renamed (snake_case), times ISO, bodies as stored. */
  trace(row: Partial<FullTrace>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) {
      if (STORAGE_COLUMNS.has(key)) continue;
      out[snake(key)] = value instanceof Date ? value.toISOString() : BODIES.includes(key as BodyField) ? this.body(row, key as BodyField) : value;
    }
    return out;
  }

  /** A body: its JSON text when it is JSON, else (a cut body, a request that was not JSON) the text as a string. */
  private body(row: Partial<FullTrace>, field: BodyField): unknown {
    const text = row[field];
    // A body put back from its pieces was serialised from its value just now: JSON, no need to check.
    const assembled = (field === 'requestBody' && row.requestFrame) || (field === 'upstreamRequestBody' && row.upstreamFrame);
    if (typeof text !== 'string' || row[TRUNCATED[field]] || !(assembled || isJsonText(text))) return text ?? null;
    this.texts.push(text);
    return this.placeholder(this.texts.length - 1);
  }

  private placeholder(i: number): string {
    return `\u0000${this.nonce}:${i}\u0000`;
  }

  /** The envelope as JSON text, each body spliced in. */
  stringify(envelope: unknown): string {
    let json = JSON.stringify(envelope);
    this.texts.forEach((text, i) => {
      json = json.replace(JSON.stringify(this.placeholder(i)), () => text);
    });
    return json;
  }

  response(envelope: unknown, status = 200): Response {
    return new Response(this.stringify(envelope), { status, headers: { 'content-type': 'application/json' } });
  }
}

/** A stored body: the JSON value it holds, or its text when it does not parse (a cut body) or nests too deep. */
// biome-ignore lint/suspicious/noExplicitAny: bodies have every shape, and a recursive JSON type is too deep for RPC's types
export type StoredBody = Record<string, any> | string | null;

/** RPC results are copied by a serialiser that recurses: a body nesting deeper than this comes back as its text. */
export const RPC_BODY_DEPTH = 1_000;

/** A stored body as its JSON value, for the RPC entrypoint; its text when it is cut, not JSON, or deeper than RPC can copy. */
export function parseBody(text: string | null | undefined, truncated = false): StoredBody {
  if (text == null) return null;
  if (truncated || jsonDepth(text) > RPC_BODY_DEPTH) return text;
  try {
    return JSON.parse(text) as StoredBody;
  } catch {
    return text;
  }
}

/** A full trace with its three bodies parsed: what the RPC entrypoint returns. */
export function withParsedBodies<T extends Partial<FullTrace>>(
  trace: T,
): Omit<T, BodyField | StorageColumn> & { requestBody: StoredBody; upstreamRequestBody: StoredBody; responseBody: StoredBody } {
  // Generic spreads and Omit do not compose for the type checker: the shape is asserted once, here.
  return {
    ...withoutStorageColumns(trace),
    requestBody: parseBody(trace.requestBody, trace.requestBodyTruncated ?? false),
    upstreamRequestBody: parseBody(trace.upstreamRequestBody, trace.upstreamRequestBodyTruncated ?? false),
    responseBody: parseBody(trace.responseBody, trace.responseBodyTruncated ?? false),
  } as Omit<T, BodyField | StorageColumn> & { requestBody: StoredBody; upstreamRequestBody: StoredBody; responseBody: StoredBody };
}
