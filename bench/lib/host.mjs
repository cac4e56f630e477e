/**
 * Runs one Worker under Miniflare (the workerd that wrangler ships), as its own process group:
 * the bench forks this file detached, so this Node process and its workerd child share a
 * process group whose CPU time the bench reads from /proc.
 *
 * Options come as JSON in BENCH_HOST: { name, script, compatibilityDate, compatibilityFlags,
 * bindings, d1, r2, queue, migrationsDir, persistDir, inspectorPort }. Over IPC it answers
 * { id, op: 'sql', sql, params } | { id, op: 'batch', statements } | { id, op: 'r2list', prefix } | { id, op: 'stop' }.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';

const config = JSON.parse(process.env.BENCH_HOST);

const v4 = {
  host: '127.0.0.1',
  port: 0,
  modules: true,
  scriptPath: config.script,
  modulesRoot: path.dirname(config.script),
  compatibilityDate: config.compatibilityDate,
  compatibilityFlags: config.compatibilityFlags,
  bindings: config.bindings,
};
if (config.d1) v4.d1Databases = { DB: 'bench-db' };
if (config.r2) v4.r2Buckets = { BODIES_BUCKET: 'bench-bodies' };
if (config.queue) {
  // TRACE_QUEUE and its consumer (this Worker), as README's wrangler.jsonc example configures them.
  v4.queueProducers = { TRACE_QUEUE: 'bench-traces' };
  v4.queueConsumers = {
    'bench-traces': { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 5, deadLetterQueue: 'bench-traces-dlq' },
    'bench-traces-dlq': { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 0 },
  };
}
if (config.inspectorPort) v4.inspectorPort = config.inspectorPort;

const options = convertV4MiniflareOptions(v4);
// Nothing per request on the Node side: no request log lines.
options.logRequests = false;
options.enableDevRegistry = false;
if (config.persistDir) {
  rmSync(config.persistDir, { recursive: true, force: true });
  options.resourcePersistencePath = config.persistDir;
}

const mf = new Miniflare(options);
const url = await mf.ready;
const db = config.d1 ? await mf.getD1Database('DB') : null;
const bucket = config.r2 ? await mf.getR2Bucket('BODIES_BUCKET') : null;

if (db && config.migrationsDir) {
  // drizzle-kit migrations: statements separated by `--> statement-breakpoint`.
  for (const file of readdirSync(config.migrationsDir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    const text = readFileSync(path.join(config.migrationsDir, file), 'utf8');
    const statements = text
      .split('--> statement-breakpoint')
      .map((s) => s.trim())
      .filter((s) => s.replace(/--[^\n]*\n?/g, '').trim() !== '');
    if (statements.length > 0) await db.batch(statements.map((s) => db.prepare(s)));
  }
}

async function handle(message) {
  switch (message.op) {
    case 'sql': {
      const result = await db
        .prepare(message.sql)
        .bind(...(message.params ?? []))
        .all();
      return { results: result.results, meta: result.meta };
    }
    case 'batch': {
      // [{ sql, params }] in one D1 batch (one transaction): each statement's meta, and the wall time.
      const t0 = performance.now();
      const results = await db.batch(message.statements.map((s) => db.prepare(s.sql).bind(...(s.params ?? []))));
      return { ms: performance.now() - t0, metas: results.map((r) => r.meta) };
    }
    case 'r2list': {
      const objects = [];
      let cursor;
      do {
        const page = await bucket.list({ prefix: message.prefix ?? '', cursor, include: ['customMetadata'] });
        for (const object of page.objects) objects.push({ key: object.key, size: object.size });
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return objects;
    }
    case 'stop':
      await mf.dispose();
      setImmediate(() => process.exit(0));
      return true;
    default:
      throw new Error(`unknown op ${message.op}`);
  }
}

process.on('message', (message) => {
  handle(message).then(
    (result) => process.send({ id: message.id, result }),
    (err) => process.send({ id: message.id, error: String(err?.stack ?? err) }),
  );
});

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  mf.dispose().finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('disconnect', shutdown);

process.send({ ready: true, url: String(url).replace(/\/$/, ''), pid: process.pid });
