import type { BodyStore } from '../config';
import { errorText } from '../core/errors';
import { log } from '../core/log';
import type { NewTrace } from './schema';

/** Body columns, their R2 key columns, and the object names they are stored under. */
export const BODY_OBJECTS = [
  { column: 'requestBody', keyColumn: 'requestBodyR2Key', name: 'request' },
  { column: 'upstreamRequestBody', keyColumn: 'upstreamRequestBodyR2Key', name: 'upstream-request' },
  { column: 'responseBody', keyColumn: 'responseBodyR2Key', name: 'response' },
] as const;

/** traces/YYYY/MM/DD/<id>/<name>.json.gz: listable by day, deletable by trace. */
export function bodyKey(id: string, createdAt: Date, name: string): string {
  const day = createdAt.toISOString().slice(0, 10).replaceAll('-', '/');
  return `traces/${day}/${id}/${name}.json.gz`;
}

async function gzip(text: string): Promise<ArrayBuffer> {
  return new Response(new Response(text).body!.pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
}

/**
 * Moves bodies over the threshold to R2, gzipped, leaving their keys in the row. A body whose
 * upload fails stays in the row (and is cut to fit there, flagged, if it must be).
 */
export async function storeLargeBodies(row: NewTrace, store: BodyStore, only?: readonly (typeof BODY_OBJECTS)[number]['column'][]): Promise<void> {
  await Promise.all(
    BODY_OBJECTS.map(async ({ column, keyColumn, name }) => {
      const text = row[column];
      if (only && !only.includes(column)) return;
      if (typeof text !== 'string' || text.length <= store.thresholdBytes) return;
      const key = bodyKey(row.id, row.createdAt, name);
      try {
        await store.bucket.put(key, await gzip(text), {
          httpMetadata: { contentType: 'application/json', contentEncoding: 'gzip' },
          customMetadata: { traceId: row.id, chars: String(text.length) },
        });
        row[keyColumn] = key;
        row[column] = null;
      } catch (err) {
        log('error', 'trace_body_upload_failed', row.id, { key, error: errorText(err) });
      }
    }),
  );
}

/** A body stored in R2, decompressed; null if the object is gone. */
export async function readStoredBody(bucket: R2Bucket, key: string): Promise<string | null> {
  const object = await bucket.get(key);
  if (!object) return null;
  return new Response(object.body.pipeThrough(new DecompressionStream('gzip'))).text();
}
