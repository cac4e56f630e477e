#!/usr/bin/env node
// Claude Code, for real, through the worker to a scripted OpenAI-compatible "model" on loopback.
//
//   npm run smoke:claude-code            (CLAUDE_BIN=/path/to/claude to use an installed binary)
//
// The scripted model drives a multi-turn session: it asks Claude Code to Read a file, then to
// run `wc -c` on it with Bash, then answers with both results. The run passes when Claude Code
// prints that answer (so both tools really ran and their results made the round trip) and every
// request Claude Code sent is traced in D1. Then a second key, over its KEY_BUDGETS cap, runs
// Claude Code again: it must show the proxy's 403 budget message as is, without retrying.
// Not part of `npm test`: Claude Code's binary is 380 MB.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestHarness } from 'wrangler';

const CLAUDE_CODE_VERSION = '2.1.330';

function claudeBinary() {
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

const workspace = mkdtempSync(join(tmpdir(), 'claude-proxy-smoke-'));
const secret = `proxy-smoke-${Math.random().toString(36).slice(2, 8)}`;
writeFileSync(join(workspace, 'notes.txt'), `The secret word is ${secret}.\n`);

// ---- the scripted model -------------------------------------------------------------------
const seen = [];
const chunk = (delta, finish_reason = null) => ({
  id: 'chatcmpl-smoke',
  object: 'chat.completion.chunk',
  model: 'scripted',
  choices: [{ index: 0, delta, finish_reason }],
});

function decide(body) {
  const toolNames = (body.tools ?? []).map((tool) => tool.function.name);
  const results = body.messages.filter((message) => message.role === 'tool').map((message) => message.content);
  if (!toolNames.includes('Read')) return { text: 'Proxy smoke session' }; // side queries: titles, classifiers
  if (results.length === 0) return { tool: { name: 'Read', args: { file_path: join(workspace, 'notes.txt') } } };
  if (results.length === 1) return { tool: { name: 'Bash', args: { command: 'wc -c notes.txt', description: 'Count the bytes of notes.txt' } } };
  const word = /proxy-smoke-\w+/.exec(results[0])?.[0] ?? 'missing';
  const count = /\d+/.exec(results[1])?.[0] ?? 'missing';
  return { text: `RESULT word=${word} bytes=${count}` };
}

const upstream = createServer(async (req, res) => {
  let raw = '';
  for await (const piece of req) raw += piece;
  const body = JSON.parse(raw);
  const decision = decide(body);
  seen.push({ stream: body.stream === true, tools: (body.tools ?? []).length, messages: body.messages.length, decision: decision.tool?.name ?? 'text' });
  const chunks = decision.tool
    ? [
        chunk({ role: 'assistant', content: '' }),
        chunk({ tool_calls: [{ index: 0, id: `call_${seen.length}`, type: 'function', function: { name: decision.tool.name, arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: JSON.stringify(decision.tool.args) } }] }),
        chunk({}, 'tool_calls'),
      ]
    : [chunk({ role: 'assistant', content: '' }), chunk({ content: decision.text }), chunk({}, 'stop')];
  chunks.push({
    id: 'chatcmpl-smoke',
    object: 'chat.completion.chunk',
    choices: [],
    usage: { prompt_tokens: 1000 + Math.round(raw.length / 4), completion_tokens: 20 },
  });
  if (!body.stream) {
    const message = decision.tool
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: `call_${seen.length}`, type: 'function', function: { name: decision.tool.name, arguments: JSON.stringify(decision.tool.args) } }],
        }
      : { role: 'assistant', content: decision.text };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'c',
        choices: [{ index: 0, message, finish_reason: decision.tool ? 'tool_calls' : 'stop' }],
        usage: { prompt_tokens: 100, completion_tokens: 10 },
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const item of chunks) res.write(`data: ${JSON.stringify(item)}\n\n`);
  res.end('data: [DONE]\n\n');
});
await new Promise((done) => upstream.listen(0, '127.0.0.1', done));
const upstreamUrl = `http://127.0.0.1:${upstream.address().port}/v1`;

// ---- the worker ---------------------------------------------------------------------------
const harness = createTestHarness({
  workers: [
    {
      configPath: './wrangler.jsonc',
      vars: { ROUTES: JSON.stringify([{ match: 'claude-*', provider: 'openai', baseUrl: upstreamUrl, model: 'scripted-model', apiKey: 'UPSTREAM_KEY' }]) },
      secrets: {
        UPSTREAM_KEY: 'sk-smoke-upstream',
        PROXY_API_KEYS: 'smoke:smoke-proxy-key,broke:broke-proxy-key',
        KEY_BUDGETS: JSON.stringify({ broke: { daily: 0 } }),
      },
    },
  ],
});
const { url } = await harness.listen();
const worker = harness.getWorker();
await worker.applyD1Migrations('DB');

let failed = false;
try {
  const home = mkdtempSync(join(tmpdir(), 'claude-proxy-smoke-home-'));
  const started = Date.now();
  // Asynchronously: the scripted model and the worker's entry run in this process's event loop.
  const run = await runClaude(
    claudeBinary(),
    [
      '-p',
      'Read notes.txt, count its bytes with wc, and tell me the secret word and the count.',
      '--output-format',
      'json',
      '--allowedTools',
      'Read',
      'Bash(wc:*)',
      '--model',
      'claude-sonnet-4-6',
    ],
    {
      cwd: workspace,
      env: {
        ...process.env,
        HOME: home,
        ANTHROPIC_BASE_URL: url.toString().replace(/\/$/, ''),
        ANTHROPIC_API_KEY: 'smoke-proxy-key',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_AUTOUPDATER: '1',
      },
    },
  );
  console.log(`claude exited ${run.status} after ${Date.now() - started} ms`);
  if (run.stderr) console.log(`stderr: ${run.stderr.slice(0, 2000)}`);
  let result;
  try {
    result = JSON.parse(run.stdout);
  } catch {
    result = { result: run.stdout };
  }
  console.log(`claude said: ${result.result}`);
  console.log('requests the scripted model received:');
  for (const request of seen) console.log(`  stream=${request.stream} tools=${request.tools} messages=${request.messages} → ${request.decision}`);

  const env = await worker.getEnv();
  await new Promise((done) => setTimeout(done, 500)); // trace writes land in waitUntil
  const { results: traces } = await env.DB.prepare(
    "SELECT path, requested_model, target_model, status, stop_reason, end_reason, input_tokens, output_tokens, session_id FROM traces WHERE api_key_name = 'smoke' ORDER BY id",
  ).all();
  console.log(`traces in D1: ${traces.length}`);
  for (const row of traces)
    console.log(
      `  ${row.path} ${row.requested_model}→${row.target_model} ${row.status} ${row.stop_reason ?? ''} ${row.end_reason} in=${row.input_tokens} out=${row.output_tokens} session=${row.session_id}`,
    );

  const expected = `RESULT word=${secret} bytes=${Buffer.byteLength(`The secret word is ${secret}.\n`)}`;
  const checks = [
    [run.status === 0, 'claude exited 0'],
    [String(result.result).includes(expected), `the final answer carries both tool results (${expected})`],
    [seen.some((request) => request.decision === 'Read') && seen.some((request) => request.decision === 'Bash'), 'both tool calls were made'],
    [traces.filter((row) => row.path === '/v1/messages').length >= seen.length, 'every upstream call is traced'],
    [traces.every((row) => row.status === 200), 'every traced request succeeded'],
  ];

  // ---- a key over its budget
  const seenBefore = seen.length;
  const broke = await runClaude(claudeBinary(), ['-p', 'Say hello.', '--model', 'claude-sonnet-4-6'], {
    cwd: workspace,
    env: {
      ...process.env,
      HOME: home,
      ANTHROPIC_BASE_URL: url.toString().replace(/\/$/, ''),
      ANTHROPIC_API_KEY: 'broke-proxy-key',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
    },
  });
  const shown = `${broke.stdout}\n${broke.stderr}`.trim();
  console.log(`over budget: claude exited ${broke.status} and printed: ${shown.slice(0, 600)}`);
  await new Promise((done) => setTimeout(done, 500));
  const { results: refused } = await env.DB.prepare("SELECT path, status, error_type FROM traces WHERE api_key_name = 'broke' ORDER BY id").all();
  console.log(`traces for the key over budget: ${refused.map((row) => `${row.path} ${row.status} ${row.error_type ?? ''}`).join(', ')}`);
  const messages = refused.filter((row) => row.path === '/v1/messages');
  checks.push(
    [broke.status !== 0, 'claude exits non-zero for a key over budget'],
    [
      shown.includes('Budget exceeded for API key "broke"') && shown.includes('daily budget (KEY_BUDGETS) is $0.00') && shown.includes('It resets at'),
      'claude shows the budget message as is',
    ],
    [
      messages.length >= 1 && messages.every((row) => row.status === 403 && row.error_type === 'permission_error'),
      'the refused requests are traced as 403 permission_error',
    ],
    [messages.length <= 2, `claude did not retry the 403 (${messages.length} /v1/messages requests)`],
    [seen.length === seenBefore, 'nothing reached the model'],
  );
  for (const [ok, label] of checks) {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}`);
    if (!ok) failed = true;
  }
} finally {
  await harness.close();
  upstream.closeAllConnections();
  upstream.close();
}
process.exit(failed ? 1 : 0);

function runClaude(binary, args, options) {
  return new Promise((done) => {
    const child = spawn(binary, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => (stdout += data));
    child.stderr.on('data', (data) => (stderr += data));
    const timer = setTimeout(() => child.kill('SIGTERM'), 180_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
  });
}
