// Claude Code through routes that decide by what a request is (the README's example, with every
// target a scripted loopback model): its thinking turns go to "think", the haiku subagent it is
// asked to start to "background", the turns after it has read ~250 KB of files to "long", and a
// run with thinking turned off to "default". Passes when Claude Code finishes both runs with the
// answers the scripted models build from what its tools returned, every request is traced with
// the route meant for it, and each route's upstream saw exactly the requests traced to it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunk } from './openai-tools.mjs';
import { report, runClaude, scratch, startUpstream, startWorker } from './lib.mjs';

export const name = 'routing';

const HAIKU = 'claude-haiku-4-5-20251001';
const LONG_FILES = 4;

/** A file of prose-like lines: ~62 KB, about 14,000 tokens by the proxy's estimate (Read's cap is 25,000). */
function bigFile(n) {
  const words = ['route', 'token', 'session', 'worker', 'target', 'weight', 'trace', 'model', 'request', 'answer', 'cache', 'stream'];
  let text = '';
  for (let line = 1; line <= 1_200; line++) {
    const pick = (k) => words[(line * (k + 3) + n * 7) % words.length];
    text += `Part ${n} line ${line}: the ${pick(1)} keeps its ${pick(2)} while the ${pick(3)} moves on.\n`;
  }
  return text;
}

/** The text of the conversation's first user message: the task Claude Code (or its subagent) was given. */
function task(body) {
  const first = body.messages.find((message) => message.role === 'user');
  return typeof first?.content === 'string' ? first.content : JSON.stringify(first?.content ?? '');
}

/** What the scripted model does next, from the conversation so far (Chat Completions messages). */
function decide(body, workspace) {
  const tools = (body.tools ?? []).map((tool) => tool.function.name);
  const results = body.messages.filter((message) => message.role === 'tool').map((message) => String(message.content));
  if (task(body).includes('Ask a haiku subagent')) {
    // The main agent: a haiku subagent first, then the big files one by one, then the answer.
    if (results.length === 0)
      return {
        tool: {
          name: 'Agent',
          args: {
            description: 'Find the secret word',
            prompt: 'Read notes.txt and reply with the secret word it holds.',
            subagent_type: 'general-purpose',
            model: 'haiku',
            run_in_background: false,
          },
        },
      };
    if (results.length <= LONG_FILES) return { tool: { name: 'Read', args: { file_path: join(workspace, `part${results.length}.txt`) } } };
    const word = /routing-smoke-\w+/.exec(results[0])?.[0] ?? 'missing';
    const parts = results.slice(1).filter((result) => /Part \d+ line 1200:/.test(result)).length;
    return { text: `RESULT agent=${word} parts=${parts}` };
  }
  if (task(body).includes('reply with the secret word') && tools.includes('Read')) {
    // The subagent: read notes.txt, then say what it holds.
    if (results.length === 0) return { tool: { name: 'Read', args: { file_path: join(workspace, 'notes.txt') } } };
    return { text: `The secret word is ${/routing-smoke-\w+/.exec(results.join(' '))?.[0] ?? 'missing'}.` };
  }
  return { text: 'Routing smoke' };
}

/** A Chat Completions answer (streamed or not) for a decision. */
function answerChat(res, body, decision, call) {
  const toolCall = decision.tool && {
    id: `call_${call}`,
    type: 'function',
    function: { name: decision.tool.name, arguments: JSON.stringify(decision.tool.args) },
  };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: `c${call}`,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: decision.text ?? null, ...(toolCall ? { tool_calls: [toolCall] } : {}) },
            finish_reason: toolCall ? 'tool_calls' : 'stop',
          },
        ],
        usage: { prompt_tokens: 100, completion_tokens: 10 },
      }),
    );
    return;
  }
  const chunks = toolCall
    ? [
        chunk({ role: 'assistant', content: '' }),
        chunk({ tool_calls: [{ index: 0, ...toolCall, function: { name: toolCall.function.name, arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: toolCall.function.arguments } }] }),
        chunk({}, 'tool_calls'),
      ]
    : [chunk({ role: 'assistant', content: '' }), chunk({ content: decision.text }), chunk({}, 'stop')];
  chunks.push({ id: 'chatcmpl-smoke', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 1000, completion_tokens: 20 } });
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const item of chunks) res.write(`data: ${JSON.stringify(item)}\n\n`);
  res.end('data: [DONE]\n\n');
}

/** An Anthropic Messages answer with one text block (streamed or not). */
function answerMessages(res, body, text) {
  const message = {
    id: 'msg_smoke',
    type: 'message',
    role: 'assistant',
    model: body.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 50, output_tokens: 1 },
  };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...message, content: [{ type: 'text', text }], stop_reason: 'end_turn', usage: { input_tokens: 50, output_tokens: 8 } }));
    return;
  }
  const event = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  event('message_start', { message });
  event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
  event('content_block_stop', { index: 0 });
  event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 8 } });
  event('message_stop', {});
  res.end();
}

export async function run() {
  const workspace = scratch(name);
  const secret = `routing-smoke-${Math.random().toString(36).slice(2, 8)}`;
  writeFileSync(join(workspace, 'notes.txt'), `The secret word is ${secret}.\n`);
  for (let n = 1; n <= LONG_FILES; n++) writeFileSync(join(workspace, `part${n}.txt`), bigFile(n));

  /** What each route's upstream received: the first path segment names the route. */
  const received = [];
  const upstream = await startUpstream((req, raw, res) => {
    const route = req.url.split('/')[1];
    const body = JSON.parse(raw);
    if (route === 'default') {
      if (req.headers['x-api-key'] !== 'sk-ant-smoke-default-upstream' || !req.headers['anthropic-version']) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }));
        return;
      }
      if (req.url.includes('/count_tokens')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ input_tokens: 1000 }));
        return;
      }
      received.push({ route, model: body.model });
      answerMessages(res, body, 'Hello from the default route.');
      return;
    }
    const expectedKey = { long: 'sk-smoke-long-upstream', think: 'sk-smoke-think-upstream' }[route];
    if (expectedKey && req.headers.authorization !== `Bearer ${expectedKey}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } }));
      return;
    }
    const decision = decide(body, workspace);
    received.push({ route, model: body.model, decision: decision.tool?.name ?? 'text' });
    answerChat(res, body, decision, received.length);
  });

  const ROUTES = [
    {
      name: 'long',
      match: 'claude-*',
      when: { minInputTokens: 60000 },
      provider: 'openai',
      baseUrl: `${upstream.url}/long/v1`,
      model: 'long-model',
      apiKey: 'LONG_KEY',
    },
    { name: 'background', match: 'claude-haiku-*', provider: 'openai', baseUrl: `${upstream.url}/background/v1`, model: 'qwen3:8b' },
    {
      name: 'think',
      match: 'claude-*',
      when: { thinking: true },
      provider: 'openai',
      baseUrl: `${upstream.url}/think/v1`,
      model: 'think-model',
      apiKey: 'THINK_KEY',
    },
    { name: 'default', match: '*', provider: 'anthropic', baseUrl: `${upstream.url}/default`, apiKey: 'DEFAULT_KEY' },
  ];
  const worker = await startWorker({
    vars: { ROUTES: JSON.stringify(ROUTES) },
    secrets: {
      LONG_KEY: 'sk-smoke-long-upstream',
      THINK_KEY: 'sk-smoke-think-upstream',
      DEFAULT_KEY: 'sk-ant-smoke-default-upstream',
      PROXY_API_KEYS: 'smoke:smoke-routing-proxy-key',
    },
  });
  try {
    const env = { ANTHROPIC_API_KEY: 'smoke-routing-proxy-key', ANTHROPIC_DEFAULT_HAIKU_MODEL: HAIKU };
    const work = await runClaude(
      [
        '-p',
        'Ask a haiku subagent for the secret word in notes.txt, then read part1.txt to part4.txt, then report.',
        '--output-format',
        'json',
        '--allowedTools',
        'Read',
        'Agent',
        '--model',
        'claude-sonnet-4-6',
      ],
      { cwd: workspace, baseUrl: worker.url, env },
    );
    console.log(
      `run 1 (thinking on, Claude Code's default): exited ${work.status} after ${work.ms} ms${work.stderr ? `; stderr: ${work.stderr.slice(0, 1000)}` : ''}`,
    );
    console.log(`  claude said: ${work.result}`);
    const firstRun = received.length;
    const plain = await runClaude(['-p', 'Say hello.', '--output-format', 'json', '--model', 'claude-sonnet-4-6'], {
      cwd: workspace,
      baseUrl: worker.url,
      env: { ...env, CLAUDE_CODE_DISABLE_THINKING: '1' },
    });
    console.log(
      `run 2 (CLAUDE_CODE_DISABLE_THINKING=1): exited ${plain.status} after ${plain.ms} ms${plain.stderr ? `; stderr: ${plain.stderr.slice(0, 1000)}` : ''}`,
    );
    console.log(`  claude said: ${plain.result}`);

    const traces = await worker.query(
      "SELECT path, requested_model, route_name, route_reason, target_model, status, agent_id AS agent, session_id FROM traces WHERE api_key_name = 'smoke' ORDER BY id",
    );
    const rows = traces;
    console.log(`traces in D1 (${rows.length}): path, requested model, route_name, route_reason → target model, status, subagent`);
    for (const row of rows) {
      console.log(
        `  ${row.path.padEnd(26)} ${String(row.requested_model).padEnd(26)} ${String(row.route_name).padEnd(10)} ${String(row.route_reason).padEnd(44)} → ${row.target_model} ${row.status}${row.agent ? ` agent ${row.agent}` : ''}`,
      );
    }
    console.log('requests each route upstream received:');
    for (const route of ['think', 'background', 'long', 'default']) {
      const got = received.filter((request) => request.route === route);
      console.log(`  ${route}: ${got.length} (${got.map((request) => request.decision ?? request.model).join(', ')})`);
    }

    const messages = rows.filter((row) => row.path === '/v1/messages');
    const byRoute = (route) => messages.filter((row) => row.route_name === route);
    const minTokens = (row) => Number(/minInputTokens (\d+)/.exec(row.route_reason ?? '')?.[1] ?? 0);
    const expected = `RESULT agent=${secret} parts=${LONG_FILES}`;
    return report(name, [
      [work.status === 0 && plain.status === 0, 'claude exited 0 in both runs'],
      [work.result.includes(expected), `run 1's answer carries the subagent's word and all ${LONG_FILES} parts (${expected})`],
      [plain.result.includes('Hello from the default route.'), "run 2's answer came from the default route"],
      [messages.every((row) => row.status === 200), 'every traced request succeeded'],
      [
        messages.filter((row) => row.requested_model.startsWith('claude-haiku')).every((row) => row.route_name === 'background'),
        'every haiku request went to background',
      ],
      [
        byRoute('background').length >= 2 && byRoute('background').every((row) => row.agent),
        'background served the haiku subagent (agent id header), more than one turn',
      ],
      [
        byRoute('think').length >= 2 && byRoute('think').every((row) => /; thinking$/.test(row.route_reason) && !row.agent),
        'think served the main thinking turns',
      ],
      [byRoute('long').length >= 1 && byRoute('long').every((row) => minTokens(row) >= 60000), 'long served the turns whose estimate reached 60,000 tokens'],
      [byRoute('think').every((row) => !row.route_reason.includes('minInputTokens')), 'no turn that reached 60,000 tokens went to think (long comes first)'],
      [byRoute('default').length >= 1 && byRoute('default').every((row) => row.route_reason === 'match *'), 'default served the run without thinking'],
      [
        ['think', 'background', 'long', 'default'].every((route) => received.filter((request) => request.route === route).length === byRoute(route).length),
        "each route's upstream received exactly the requests traced to it",
      ],
      [firstRun > 0 && received.slice(firstRun).every((request) => request.route === 'default'), 'run 2 reached only the default upstream'],
    ]);
  } finally {
    await worker.close();
    upstream.close();
  }
}
