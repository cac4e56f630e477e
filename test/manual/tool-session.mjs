// The scripted side of a Claude Code tool session in Anthropic's format (for the Bedrock and
// Vertex smoke scenarios): the "model" asks Claude Code to Read notes.txt, then to run `wc -c`
// on it with Bash, then answers with both results. Side queries (titles, classifiers: requests
// without the Read tool) get a short text.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

function resultText(block) {
  if (typeof block.content === 'string') return block.content;
  return (block.content ?? []).map((part) => part.text ?? '').join('');
}

export function toolSession(workspace) {
  const secret = `proxy-smoke-${Math.random().toString(36).slice(2, 8)}`;
  const notes = `The secret word is ${secret}.\n`;
  writeFileSync(join(workspace, 'notes.txt'), notes);
  const seen = [];
  const reply = (body, { stream, modelId }) => {
    const tools = (body.tools ?? []).map((tool) => tool.name);
    const results = body.messages
      .flatMap((message) => (Array.isArray(message.content) ? message.content.filter((block) => block.type === 'tool_result') : []))
      .map(resultText);
    let answer;
    if (!tools.includes('Read')) answer = { text: 'Proxy smoke session' };
    else if (results.length === 0) answer = { tool: { name: 'Read', input: { file_path: join(workspace, 'notes.txt') } } };
    else if (results.length === 1) answer = { tool: { name: 'Bash', input: { command: 'wc -c notes.txt', description: 'Count the bytes of notes.txt' } } };
    else {
      const word = /proxy-smoke-\w+/.exec(results[0])?.[0] ?? 'missing';
      const count = /\d+/.exec(results[1])?.[0] ?? 'missing';
      answer = { text: `RESULT word=${word} bytes=${count}` };
    }
    seen.push({ stream, model: modelId, tools: tools.length, messages: body.messages.length, decision: answer.tool?.name ?? 'text' });
    return answer;
  };
  return { reply, seen, expected: `RESULT word=${secret} bytes=${Buffer.byteLength(notes)}` };
}

/** What Claude Code itself sent in a traced request (before the proxy shaped it for the platform). */
export function printSent(row) {
  if (!row) return;
  const headers = JSON.parse(row.request_headers ?? '{}');
  const body = JSON.parse(row.request_body ?? '{}');
  console.log(`Claude Code sent: fields=${Object.keys(body).join(',')} betas=${headers['anthropic-beta'] ?? ''}`);
}
