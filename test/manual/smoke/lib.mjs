// Shared pieces of the Claude Code smoke scenarios: the binary, a worker under wrangler's test
// harness, scripted upstreams on loopback, running Claude Code headless, reading traces, checks.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestHarness } from 'wrangler';

export const CLAUDE_CODE_VERSION = '2.1.330';

/** Claude Code's native binary: CLAUDE_BIN, else installed on first use under node_modules/.cache. */
export function claudeBinary() {
  if (process.env.CLAUDE_BIN) return process.env.CLAUDE_BIN;
  const prefix = resolve('node_modules/.cache/claude-code');
  const platformPackage = `@anthropic-ai/claude-code-${process.platform}-${process.arch}`;
  const binary = join(prefix, 'node_modules', platformPackage, process.platform === 'win32' ? 'claude.exe' : 'claude');
  if (!existsSync(binary)) {
    console.log(`installing @anthropic-ai/claude-code@${CLAUDE_CODE_VERSION} into ${prefix}`);
    mkdirSync(prefix, { recursive: true });
    execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--ignore-scripts', `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`], {
      stdio: 'inherit',
    });
  }
  return binary;
}

/** A scratch folder. */
export function scratch(prefix) {
  return mkdtempSync(join(tmpdir(), `claude-proxy-smoke-${prefix}-`));
}

/** An HTTP server on a free loopback port; `handler(req, body, res)` gets the request body read. */
export async function startUpstream(handler) {
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const piece of req) raw += piece;
    try {
      await handler(req, raw, res);
    } catch (err) {
      console.log(`scripted upstream failed: ${err.stack ?? err}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(err) } }));
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** The worker under wrangler's test harness, migrated, with these vars and secrets. */
export async function startWorker({ vars = {}, secrets = {} }) {
  const harness = createTestHarness({ workers: [{ configPath: './wrangler.jsonc', vars, secrets }] });
  const { url } = await harness.listen();
  const worker = harness.getWorker();
  await worker.applyD1Migrations('DB');
  const env = await worker.getEnv();
  return {
    url: url.toString().replace(/\/$/, ''),
    env,
    /** Rows of a query on the worker's D1, after trace writes (waitUntil) have landed. */
    async query(sql, ...params) {
      await new Promise((done) => setTimeout(done, 500));
      const { results } = await env.DB.prepare(sql)
        .bind(...params)
        .all();
      return results;
    },
    close: () => harness.close(),
  };
}

/** Runs Claude Code headless in `cwd` against `baseUrl`, with a throwaway HOME. */
export function runClaude(args, { cwd, baseUrl, env = {}, timeoutMs = 180_000 }) {
  const home = scratch('home');
  return new Promise((done) => {
    const child = spawn(claudeBinary(), args, {
      cwd,
      env: {
        ...process.env,
        HOME: home,
        ANTHROPIC_BASE_URL: baseUrl,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_AUTOUPDATER: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => {
      stdout += data;
    });
    child.stderr.on('data', (data) => {
      stderr += data;
    });
    const started = Date.now();
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      let result;
      try {
        result = JSON.parse(stdout).result;
      } catch {
        result = stdout;
      }
      done({ status, stdout, stderr, result: String(result ?? ''), ms: Date.now() - started });
    });
  });
}

/** Prints each check; returns whether all passed. */
export function report(name, checks) {
  let ok = true;
  for (const [passed, label] of checks) {
    console.log(`${passed ? 'ok  ' : 'FAIL'} [${name}] ${label}`);
    if (!passed) ok = false;
  }
  return ok;
}

/** Claude Code's arguments for a headless task that may Read files and run `wc`, answering as JSON. */
export function readAndCountArgs(prompt, model = 'claude-sonnet-4-6') {
  return ['-p', prompt, '--output-format', 'json', '--allowedTools', 'Read', 'Bash(wc:*)', '--model', model];
}

/** The task both tool scenarios give Claude Code: Read a file, then Bash `wc -c` on it, then answer with both. */
export function readAndCount(workspace, worker) {
  return runClaude(readAndCountArgs('Read notes.txt, count its bytes with wc, and tell me the secret word and the count.'), {
    cwd: workspace,
    baseUrl: worker.url,
    env: { ANTHROPIC_API_KEY: 'smoke-proxy-key' },
  });
}

/** Prints how Claude Code exited and what it said. */
export function printRun(run) {
  console.log(`claude exited ${run.status} after ${run.ms} ms${run.stderr ? `; stderr: ${run.stderr.slice(0, 2000)}` : ''}`);
  console.log(`claude said: ${run.result}`);
}

/** The traces of the smoke key's requests, printed one a line. */
export async function printTraces(worker) {
  const traces = await worker.query(
    "SELECT path, provider, target_model, status, stop_reason, end_reason, input_tokens, cache_read_input_tokens, output_tokens, session_id FROM traces WHERE api_key_name = 'smoke' ORDER BY id",
  );
  console.log(`traces in D1: ${traces.length}`);
  for (const row of traces) {
    console.log(
      `  ${row.path} ${row.provider}→${row.target_model} ${row.status} ${row.stop_reason ?? ''} ${row.end_reason} in=${row.input_tokens} cache_read=${row.cache_read_input_tokens} out=${row.output_tokens}`,
    );
  }
  return traces;
}
