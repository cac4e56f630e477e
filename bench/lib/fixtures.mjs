/**
 * Deterministic request and answer fixtures for the benchmark. Everything is generated from a
 * seeded PRNG and a small neutral vocabulary: no real product's prompt or tool set is copied.
 */

/** mulberry32: a tiny seeded PRNG, so every run sends byte-identical bodies. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the a to of and in for with on when before after each every file files line lines module modules function functions ' +
  'value values result results request requests answer answers user users project projects change changes test tests ' +
  'build builds error errors output input path paths directory directories command commands shell option options ' +
  'always never only first last next previous small large careful short clear exact simple local remote existing new ' +
  'read write edit search list run check keep prefer avoid explain describe summarise verify confirm report return ' +
  'code source text data config setting settings version branch commit diff patch review step steps plan task tasks ' +
  'should must may can will would could does is are was be been being not no yes it this that these those its their ' +
  'quickly slowly directly usually rarely instead together separately again already still also then so but or if'
).split(' ');

function words(rand, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]);
  return out.join(' ');
}

function sentence(rand, min = 6, max = 18) {
  const text = words(rand, min + Math.floor(rand() * (max - min + 1)));
  return `${text[0].toUpperCase() + text.slice(1)}.`;
}

function paragraph(rand, sentences) {
  const out = [];
  for (let i = 0; i < sentences; i++) out.push(sentence(rand));
  return out.join(' ');
}

/** A generated system prompt of about `bytes` characters: headed sections, prose and bullet lists. */
export function systemPrompt(bytes = 58_000, seed = 1) {
  const rand = prng(seed);
  let text = 'You are a careful assistant that helps with software tasks in a terminal. Follow the rules below.\n';
  let section = 1;
  while (text.length < bytes) {
    text += `\n# Section ${section++}: ${words(rand, 3)}\n\n${paragraph(rand, 4)}\n\n`;
    for (let i = 0; i < 5; i++) text += `- ${sentence(rand, 5, 14)}\n`;
  }
  return text.slice(0, bytes);
}

const TOOL_NAMES = [
  'read_file',
  'write_file',
  'edit_file',
  'multi_edit',
  'list_directory',
  'glob_files',
  'search_text',
  'run_command',
  'run_background',
  'read_output',
  'stop_process',
  'fetch_url',
  'web_lookup',
  'todo_update',
  'ask_user',
  'spawn_helper',
  'notebook_read',
  'notebook_edit',
  'diff_files',
  'apply_patch',
  'git_status',
  'git_log',
  'open_plan',
  'close_plan',
];

/** 24 tool definitions with JSON schemas, shaped like a coding agent's. */
export function toolDefinitions(seed = 2) {
  const rand = prng(seed);
  return TOOL_NAMES.map((name, i) => {
    const properties = {};
    const required = [];
    const count = 2 + (i % 3);
    for (let p = 0; p < count; p++) {
      const key = ['path', 'pattern', 'content', 'limit', 'offset', 'command', 'timeout', 'description'][(i + p) % 8];
      const type = key === 'limit' || key === 'offset' || key === 'timeout' ? 'number' : 'string';
      properties[key] = { type, description: sentence(rand, 3, 7) };
      if (p < 2) required.push(key);
    }
    if (i % 5 === 0) properties.mode = { type: 'string', enum: ['fast', 'full', 'dry_run'], description: sentence(rand, 4, 8) };
    if (i % 7 === 0)
      properties.items = { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, done: { type: 'boolean' } }, required: ['id'] } };
    return {
      name,
      description: i % 3 === 0 ? paragraph(rand, 2) : sentence(rand, 6, 14),
      input_schema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties, required, additionalProperties: false },
    };
  });
}

/**
 * A conversation of `exchanges` tool-using exchanges after the opening prompt: each is an
 * assistant turn (a sentence and a tool_use) and a user turn carrying its tool_result.
 */
export function history(exchanges, seed = 3) {
  const rand = prng(seed);
  const messages = [{ role: 'user', content: [{ type: 'text', text: `Please look at the project and ${sentence(rand, 8, 14).toLowerCase()}` }] }];
  for (let i = 0; i < exchanges; i++) {
    const id = `toolu_bench_${String(i).padStart(4, '0')}`;
    const tool = TOOL_NAMES[i % 8];
    messages.push({
      role: 'assistant',
      content: [
        { type: 'text', text: sentence(rand, 4, 9) },
        { type: 'tool_use', id, name: tool, input: { path: `src/${words(rand, 1)}/${words(rand, 1)}.ts`, limit: 200 + i } },
      ],
    });
    messages.push({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: id, content: `${i + 1}\t${sentence(rand, 5, 12)}` }],
    });
  }
  return messages;
}

export const SESSION_ID = '6f1c2a9e-0b7d-4e59-9a43-2d8c51f0b6aa';

/** Claude-Code-shaped request: ~60 KB system prompt, 24 tools, a growing tool-using history. */
export function claudeCodeRequest(model, { stream = false, exchanges = 30 } = {}) {
  return {
    model,
    max_tokens: 32000,
    system: [
      { type: 'text', text: 'You are a command-line coding assistant.' },
      { type: 'text', text: systemPrompt(), cache_control: { type: 'ephemeral' } },
    ],
    messages: history(exchanges),
    tools: toolDefinitions(),
    metadata: { user_id: `user_bench_account__session_${SESSION_ID}` },
    temperature: 1,
    stream,
  };
}

export function smallRequest(model, { stream = false } = {}) {
  return { model, max_tokens: 1024, messages: [{ role: 'user', content: 'Say hello in five words.' }], stream };
}

/** Headers a Claude client sends. The 80 KB request also carries the session header, as Claude Code does. */
export function clientHeaders({ session = false } = {}) {
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json',
    'anthropic-version': '2023-06-01',
    'x-api-key': 'sk-bench-client-credential-0001',
    'user-agent': 'bench-client/1.0',
  };
  if (session) headers['x-claude-code-session-id'] = SESSION_ID;
  return headers;
}

// ---------------------------------------------------------------------------------------------
// Upstream answers: the same 200-piece text for both protocols.

export const STREAM_CHUNKS = 200;

export function answerPieces(count = STREAM_CHUNKS, seed = 4) {
  const rand = prng(seed);
  const pieces = [];
  for (let i = 0; i < count; i++) pieces.push(`${words(rand, 3 + Math.floor(rand() * 4))} `);
  return pieces;
}

const USAGE = { input_tokens: 21_000, output_tokens: 900 };

export function anthropicMessage(pieces = answerPieces()) {
  return {
    id: 'msg_bench0000000000000001',
    type: 'message',
    role: 'assistant',
    model: 'claude-bench',
    content: [{ type: 'text', text: pieces.join('') }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { ...USAGE, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

function frame(event) {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Anthropic SSE as network writes: [message_start + block start], 200 deltas, [block stop + message_delta + message_stop]. */
export function anthropicStreamWrites(pieces = answerPieces()) {
  const start = anthropicMessage(pieces);
  const writes = [
    frame({ type: 'message_start', message: { ...start, content: [], stop_reason: null, usage: { ...start.usage, output_tokens: 1 } } }) +
      frame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  ];
  for (const text of pieces) writes.push(frame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }));
  writes.push(
    frame({ type: 'content_block_stop', index: 0 }) +
      frame({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: USAGE.output_tokens } }) +
      frame({ type: 'message_stop' }),
  );
  return writes;
}

const OPENAI_BASE = { id: 'chatcmpl-bench0001', created: 1760000000, model: 'bench-model' };
const OPENAI_USAGE = { prompt_tokens: USAGE.input_tokens, completion_tokens: USAGE.output_tokens, total_tokens: USAGE.input_tokens + USAGE.output_tokens };

export function openaiCompletion(pieces = answerPieces()) {
  return {
    ...OPENAI_BASE,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: pieces.join('') }, finish_reason: 'stop' }],
    usage: OPENAI_USAGE,
  };
}

/** Chat Completions SSE as network writes: role chunk + first piece, 199 more pieces, finish, usage, [DONE]. */
export function openaiStreamWrites(pieces = answerPieces()) {
  const chunk = (delta, finish_reason = null) =>
    `data: ${JSON.stringify({ ...OPENAI_BASE, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason }] })}\n\n`;
  const writes = pieces.map((content, i) => (i === 0 ? chunk({ role: 'assistant', content }) : chunk({ content })));
  writes.push(
    chunk({}, 'stop') +
      `data: ${JSON.stringify({ ...OPENAI_BASE, object: 'chat.completion.chunk', choices: [], usage: OPENAI_USAGE })}\n\n` +
      'data: [DONE]\n\n',
  );
  return writes;
}
