import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestHarness } from 'wrangler';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A scripted upstream on loopback: every request is recorded, then answered by the handler. */
export async function startUpstream(handler: (req: RecordedRequest, res: ServerResponse) => void | Promise<void>) {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    requests.push(recorded);
    try {
      await handler(recorded, res);
    } catch (err) {
      res.destroy(err as Error);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The real worker from wrangler.jsonc, run by wrangler's test harness, with its D1 migrated. */
export async function startProxy(vars: Record<string, string> = {}, secrets: Record<string, string> = {}) {
  const harness = createTestHarness({ workers: [{ configPath: './wrangler.jsonc', vars, secrets }] });
  const { url } = await harness.listen();
  const worker = harness.getWorker<{ DB: D1DatabaseLike }>();
  await worker.applyD1Migrations('DB');
  const env = await worker.getEnv();
  return {
    url: url.toString().replace(/\/$/, ''),
    harness,
    /** Runs SQL against the worker's D1. */
    query: async <T>(sql: string, ...params: unknown[]) =>
      (
        await env.DB.prepare(sql)
          .bind(...params)
          .all<T>()
      ).results,
    close: () => harness.close(),
  };
}

interface D1DatabaseLike {
  prepare(sql: string): { bind(...params: unknown[]): { all<T>(): Promise<{ results: T[] }> } };
}

/** Polls until the check passes (trace writes land after the response, in waitUntil). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
