#!/usr/bin/env node
// What real Claude Code sessions cost in D1: two sessions of TURNS tool turns each (Read a file,
// then `wc -c` it, file after file), one on an Anthropic passthrough route and one translated to
// an OpenAI-compatible model, both against scripted upstreams on loopback. The proxy runs under
// Miniflare with its D1 persisted; the database is measured as a checkpointed, vacuumed copy
// (VACUUM INTO) before and after each session: its growth per trace is what a trace costs.
//
//   CLAUDE_BIN=… node bench/claude-code-storage.mjs [--turns=40] [--worker-dir=<checkout>]
//
// --worker-dir measures another checkout of claude-proxy (built there, its own migrations): how
// the previous storage compares, in the same run of the same sessions.
import { execFile as execFileCb } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { experimental_readRawConfig } from 'wrangler';
import { killAllSync, startWorker } from './lib/procs.mjs';
import { anthropicStream } from '../test/manual/smoke/anthropic-tools.mjs';
import { readAndCountArgs, runClaude, scratch } from '../test/manual/smoke/lib.mjs';
import { chatStreamChunks } from '../test/manual/smoke/openai-tools.mjs';

const execFile = promisify(execFileCb);
const ROOT = path.resolve(import.meta.dirname, '..');
const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key, value ?? true];
  }),
);
const TURNS = Number(args.turns ?? 40);
const WORKER_DIR = path.resolve(args['worker-dir'] ?? ROOT);
const STATE = path.join(ROOT, 'bench', '.state-storage');
const PASS_MODEL = 'claude-sonnet-4-6';
const ADMIN_TOKEN = 'bench-storage-admin-token-0123456789';
const READS = 30;
const TRANS_MODEL = 'claude-opus-4-6';

/** File contents shaped like source code: ~3 KB each, different from file to file. */
function sourceFile(n) {
  const lines = [];
  for (let i = 0; lines.join('\n').length < 2600 + (n % 5) * 200; i++) {
    lines.push(
      `export function step${n}_${i}(input: Record<string, number>): number {`,
      `  return Object.values(input).reduce((sum, v) => sum + v * ${n + i}, ${i});`,
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** What the scripted model does next: Read part-N, then wc it, TURNS tool calls in all, then answer. */
function decide(results, workspace, tools) {
  if (!tools.includes('Read')) return { text: 'Storage measurement' }; // side requests: titles, classifiers
  if (results < TURNS) {
    const n = Math.floor(results / 2);
    return results % 2 === 0
      ? { tool: { name: 'Read', args: { file_path: path.join(workspace, `part-${n}.ts`) } } }
      : { tool: { name: 'Bash', args: { command: `wc -c part-${n}.ts`, description: `Count the bytes of part-${n}.ts` } } };
  }
  return { text: `RESULT measured ${Math.floor(TURNS / 2)} files` };
}

async function startUpstream(workspaces) {
  let calls = 0;
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const piece of req) raw += piece;
    const body = JSON.parse(raw);
    calls++;
    if (req.url.includes('count_tokens'))
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ input_tokens: Math.round(raw.length / 4) }));
    if (req.url.startsWith('/v1/chat/completions')) {
      const results = body.messages.filter((m) => m.role === 'tool').length;
      const decision = decide(
        results,
        workspaces.translated,
        (body.tools ?? []).map((t) => t.function.name),
      );
      const chunks = chatStreamChunks(decision, `call_${calls}`, Math.round(raw.length / 4));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const item of chunks) res.write(`data: ${JSON.stringify(item)}\n\n`);
      return res.end('data: [DONE]\n\n');
    }
    const results = body.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((b) => b.type === 'tool_result').length;
    const decision = decide(
      results,
      workspaces.passthrough,
      (body.tools ?? []).map((t) => t.name),
    );
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(anthropicStream(`msg_storage_${calls}`, decision, Math.round(raw.length / 4)));
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/** The D1 database's size as a checkpointed, vacuumed copy. */
function vacuumedSize(persistDir) {
  const dir = path.join(persistDir, 'd1', 'miniflare-D1DatabaseObject');
  const file = readdirSync(dir).find((name) => name.endsWith('.sqlite') && name !== 'metadata.sqlite');
  const copy = path.join(STATE, 'vacuumed.sqlite');
  rmSync(copy, { force: true });
  const db = new DatabaseSync(path.join(dir, file));
  db.exec(`VACUUM INTO '${copy}'`);
  db.close();
  return statSync(copy).size;
}

async function build() {
  const outdir = path.join(STATE, 'build');
  rmSync(outdir, { recursive: true, force: true });
  await execFile(
    path.join(ROOT, 'node_modules/.bin/wrangler'),
    ['deploy', '--dry-run', '--config', path.join(WORKER_DIR, 'wrangler.jsonc'), '--outdir', outdir],
    {
      cwd: WORKER_DIR,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
      maxBuffer: 16 << 20,
    },
  );
  return path.join(outdir, 'index.js');
}

async function session(proxy, persistDir, route, workspace) {
  for (let n = 0; n < Math.ceil(TURNS / 2); n++) writeFileSync(path.join(workspace, `part-${n}.ts`), sourceFile(n));
  const before = vacuumedSize(persistDir);
  const tracesBefore = (await proxy.sql('SELECT COUNT(*) AS n FROM traces')).results[0].n;
  const run = await runClaude(
    readAndCountArgs(
      `Read each part-N.ts file in turn (N from 0 to ${Math.ceil(TURNS / 2) - 1}) and count its bytes with wc, one file at a time; then say RESULT.`,
      route === 'passthrough' ? PASS_MODEL : TRANS_MODEL,
    ),
    { cwd: workspace, baseUrl: proxy.url, env: { ANTHROPIC_API_KEY: 'sk-ant-api03-storage-client-key-not-real' }, timeoutMs: 900_000 },
  );
  await new Promise((done) => setTimeout(done, 1500)); // the last trace is written in waitUntil
  const traces = (await proxy.sql('SELECT COUNT(*) AS n FROM traces')).results[0].n - tracesBefore;
  const after = vacuumedSize(persistDir);
  // Rows a trace's INSERT writes (the row and its index entries), replayed for the session's last trace.
  const columns = (await proxy.sql("SELECT name FROM pragma_table_info('traces')")).results.map((c) => `"${c.name}"`);
  const last = (await proxy.sql('SELECT id FROM traces ORDER BY id DESC LIMIT 1')).results[0].id;
  const copy = columns.map((c) => (c === '"id"' ? "id || '-replay'" : c)).join(', ');
  const replay = await proxy.sql(`INSERT INTO traces (${columns.join(', ')}) SELECT ${copy} FROM traces WHERE id = ?`, last);
  await proxy.sql("DELETE FROM traces WHERE id LIKE '%-replay'");
  return {
    route,
    rows_written_per_trace: replay.meta.rows_written,
    claude_exit: run.status,
    answered: run.result.includes('RESULT'),
    traces,
    growth_bytes: after - before,
    bytes_per_trace: Math.round((after - before) / traces),
  };
}

let upstream = null;
/** Median milliseconds of READS reads of the last turn of each session: the viewer's page, /api/traces/:id, the session export. */
async function readTimes(proxy) {
  const login = await fetch(`${proxy.url}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: proxy.url },
    body: `token=${ADMIN_TOKEN}&next=/ui`,
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  const last = (await proxy.sql("SELECT id, session_id FROM traces WHERE path = '/v1/messages' ORDER BY id DESC LIMIT 1")).results[0];
  const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];
  const time = async (url, headers) => {
    const times = [];
    for (let i = 0; i < READS; i++) {
      const t0 = performance.now();
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
      times.push(performance.now() - t0);
    }
    return Math.round(median(times) * 100) / 100;
  };
  // Turn after turn through the first session, as "next turn →" in the viewer does: each page once.
  const first = (await proxy.sql("SELECT session_id FROM traces WHERE path = '/v1/messages' ORDER BY id LIMIT 1")).results[0];
  const turns = (await proxy.sql('SELECT id FROM traces WHERE session_id = ? ORDER BY id', first.session_id)).results;
  const walk = [];
  for (const turn of turns) {
    const t0 = performance.now();
    const response = await fetch(`${proxy.url}/ui/traces/${turn.id}`, { headers: { cookie } });
    await response.arrayBuffer();
    walk.push(performance.now() - t0);
  }
  return {
    viewer_walk_median_ms: Math.round(median(walk) * 100) / 100,
    viewer_walk_total_ms: Math.round(walk.reduce((a, b) => a + b, 0)),
    viewer_trace_page_ms: await time(`${proxy.url}/ui/traces/${last.id}`, { cookie }),
    api_trace_ms: await time(`${proxy.url}/api/traces/${last.id}`, { authorization: `Bearer ${ADMIN_TOKEN}` }),
    api_session_export_ms: await time(`${proxy.url}/api/sessions/${last.session_id}?bodies=true`, { authorization: `Bearer ${ADMIN_TOKEN}` }),
  };
}

try {
  rmSync(STATE, { recursive: true, force: true });
  mkdirSync(STATE, { recursive: true });
  const { rawConfig: config } = experimental_readRawConfig({ config: path.join(WORKER_DIR, 'wrangler.jsonc') });
  const script = await build();
  const workspaces = { passthrough: scratch('storage-pass'), translated: scratch('storage-trans') };
  upstream = await startUpstream(workspaces);
  const ROUTES = JSON.stringify([
    { match: TRANS_MODEL, provider: 'openai', baseUrl: `${upstream.url}/v1`, model: 'scripted-model', apiKey: 'client' },
    { match: '*', provider: 'anthropic', baseUrl: upstream.url, apiKey: 'client' },
  ]);
  const proxy = await startWorker(STATE, 'proxy', {
    script,
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    d1: true,
    migrationsDir: path.join(WORKER_DIR, 'drizzle'),
    bindings: { ...(config.vars ?? {}), ROUTES, LOG_REQUESTS: 'off', ADMIN_TOKEN },
  });
  const persistDir = path.join(STATE, 'proxy');
  const results = [];
  for (const route of ['passthrough', 'translated']) results.push(await session(proxy, persistDir, route, workspaces[route]));
  const traces = results.reduce((n, r) => n + r.traces, 0);
  const growth = results.reduce((n, r) => n + r.growth_bytes, 0);
  const written = await proxy.sql("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'body_pieces'");
  const reads = await readTimes(proxy);
  console.log(
    JSON.stringify(
      {
        worker: path.relative(ROOT, WORKER_DIR) || '.',
        turns: TURNS,
        sessions: results,
        traces,
        growth_bytes: growth,
        bytes_per_trace: Math.round(growth / traces),
        body_format_1: written.results[0].n > 0,
        reads,
      },
      null,
      2,
    ),
  );
  await proxy.stop();
} catch (err) {
  console.error(err?.stack ?? err);
  process.exitCode = 1;
} finally {
  upstream?.close();
  killAllSync();
}
