import { newTraceId, timePrefix } from '../../src/core/ids';
import type { CompletedRequest } from '../../src/recording/recorder';

/** A finished request as the recorder produces it. */
export function completed(fields: Partial<CompletedRequest> & Pick<CompletedRequest, 'requestBody'>): CompletedRequest {
  const now = Date.now();
  return {
    id: newTraceId(now),
    createdAt: new Date(now),
    method: 'POST',
    path: '/v1/messages',
    sessionId: null,
    agentId: null,
    parentAgentId: null,
    requestHeaders: { 'content-type': 'application/json', 'user-agent': 'claude-cli/2.1.330', 'content-length': String(fields.requestBody?.length ?? 0) },
    clientIp: '127.0.0.1',
    userAgent: 'claude-cli/2.1.330',
    requestedModel: 'claude-sonnet-4-6',
    stream: true,
    provider: 'anthropic',
    targetModel: 'claude-sonnet-4-6',
    targetUrl: 'https://api.anthropic.com/v1/messages',
    apiKeyName: null,
    routeName: 'ROUTES[0]',
    routeReason: 'match claude-*',
    status: 200,
    errorType: null,
    errorMessage: null,
    endReason: 'complete',
    stopReason: 'tool_use',
    inputTokens: 10,
    outputTokens: 5,
    cacheReadInputTokens: 0,
    cacheCreationInputTokens: 0,
    ttftMs: 5,
    durationMs: 9,
    attempts: null,
    requestBytes: fields.requestBody?.length ?? null,
    upstreamRequestBody: null,
    responseBody: null,
    responseBytes: null,
    secrets: new Set(),
    refused: false,
    ...fields,
  };
}

type Json = Record<string, unknown>;

/** An Anthropic answer that calls tools. */
export function answerMessage(id: string, content: unknown[]) {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-6',
    content,
    stop_reason: 'tool_use',
    usage: { input_tokens: 10, output_tokens: 5 },
  };
}

/** Claude Code's cache marker on the last block of the last message (and of message `extra`); string contents are left as they are. */
export function withCacheMarkers<T extends { content: unknown }>(messages: readonly T[], extra: number | null = null): T[] {
  return messages.map((message, i) => {
    if ((i !== messages.length - 1 && i !== extra) || !Array.isArray(message.content)) return message;
    const content = message.content as Json[];
    return { ...message, content: content.map((block, b) => (b === content.length - 1 ? { ...block, cache_control: { type: 'ephemeral' } } : block)) };
  });
}

/**
 * The finished requests of a Claude-Code-shaped session: the real system prompt and tools of a
 * captured request, a prompt, then turns that each add the answer (a tool call) and the tool's
 * result (`resultChars` of file content), with the cache marker on the last block, as Claude Code
 * sends them. Times start at `startAt`, `stepMs` apart.
 */
export function sessionRecords(
  fixture: { system: unknown; tools: unknown },
  options: { turns: number; sessionId: string; startAt: number; stepMs?: number; resultChars?: number },
): CompletedRequest[] {
  const { turns, sessionId, startAt, stepMs = 1000, resultChars = 3000 } = options;
  const messages: Json[] = [{ role: 'user', content: [{ type: 'text', text: `Measure the files of ${sessionId}.` }] }];
  const records: CompletedRequest[] = [];
  for (let turn = 0; turn < turns; turn++) {
    const at = startAt + turn * stepMs;
    const request = {
      model: 'claude-sonnet-4-6',
      messages: withCacheMarkers(messages as { content: unknown }[]),
      system: fixture.system,
      tools: fixture.tools,
      max_tokens: 32000,
      stream: true,
    };
    const answer = [{ type: 'tool_use', id: `toolu_${sessionId}_${turn}`, name: 'Read', input: { file_path: `/work/part-${turn}.ts` } }];
    const response = answerMessage(`msg_${turn}`, answer);
    records.push(
      completed({
        // newTraceId never goes back in time: a past session gets ids of its own times.
        id: `${timePrefix(at)}${crypto.randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`,
        createdAt: new Date(at),
        sessionId,
        requestBody: JSON.stringify(request),
        responseBody: JSON.stringify(response),
      }),
    );
    const file = `export const part${turn} = ${JSON.stringify(sessionId)};\n`.repeat(Math.ceil(resultChars / 40)).slice(0, resultChars);
    messages.push({ role: 'assistant', content: answer }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: answer[0]!.id, content: file }] });
  }
  return records;
}
