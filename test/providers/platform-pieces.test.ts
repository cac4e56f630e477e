import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProxyError } from '../../src/core/errors';
import type { MessagesRequest } from '../../src/protocol/types';
import { foldSystemMessages, platformBetas, shapeBody } from '../../src/providers/anthropic/platforms';
import { fromBedrockError, fromStreamException } from '../../src/providers/bedrock/errors';
import { crc32, EventStreamDecoder, EventStreamError } from '../../src/providers/bedrock/event-stream';
import { bedrockModelId, claudeIdOfBedrock, foundationModelId, profileForRegion } from '../../src/providers/bedrock/models';
import { BEDROCK_POLICY, countTokensRequest, invokeRequest, messagesApiRequest } from '../../src/providers/bedrock/request';
import { invokeStreamTransform } from '../../src/providers/bedrock/stream';
import { fromVertexError } from '../../src/providers/vertex/errors';
import { claudeIdOfVertex, vertexModelId } from '../../src/providers/vertex/models';
import { VERTEX_POLICY } from '../../src/providers/vertex/request';
import type { CapturedBytes } from '../../src/upstream/types';
import { CLAUDE_CODE_BETAS, claudeCodeRequest } from '../fixtures/claude-code';
import { chunkMessage, type Json, crc32Reference, eventStreamMessage, exceptionMessage } from '../helpers/platforms.mjs';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe('CRC-32', () => {
  it('gives the standard check value and agrees with a bitwise reference on any bytes', () => {
    expect(crc32(encoder.encode('123456789'))).toBe(0xcbf43926);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => crc32(bytes) === crc32Reference(bytes)));
  });
});

describe('the event-stream decoder', () => {
  it('decodes messages however the network splits them', () => {
    const messages: { headers: Record<string, string>; payload: string }[] = [
      { headers: { ':event-type': 'chunk', ':message-type': 'event' }, payload: '{"bytes":"eyJ0eXBlIjoicGluZyJ9"}' },
      { headers: { ':message-type': 'exception', ':exception-type': 'throttlingException' }, payload: '{"message":"slow down ☃"}' },
      { headers: {}, payload: '' },
    ];
    const wire = messages.map((m) => eventStreamMessage(m.headers, m.payload));
    const all = new Uint8Array(wire.reduce((n, m) => n + m.length, 0));
    let at = 0;
    for (const m of wire) {
      all.set(m, at);
      at += m.length;
    }
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: all.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), all.length];
        const decoder2 = new EventStreamDecoder();
        const out = points.slice(1).flatMap((end, i) => decoder2.push(all.slice(points[i], end)));
        expect(out.map((m) => ({ headers: m.headers, payload: decoder.decode(m.payload) }))).toEqual(messages);
        expect(decoder2.pending).toBe(0);
      }),
    );
  });

  it('reads every header type', () => {
    // name "b" bool true, "i" int32, "l" int64, "s" string, "t" timestamp, "u" uuid, "y" bytes
    const parts = [
      [1, 98, 0],
      [1, 105, 4, 0, 0, 1, 0],
      [1, 108, 5, 0, 0, 0, 0, 0, 0, 0, 42],
      [1, 115, 7, 0, 2, 104, 105],
      [1, 116, 8, 0, 0, 1, 146, 229, 52, 104, 0],
      [1, 117, 9, ...Array.from({ length: 16 }, (_, i) => i)],
      [1, 121, 6, 0, 3, 1, 2, 3],
      [1, 99, 2, 255],
      [1, 104, 3, 1, 0],
      [1, 102, 1],
    ].flat();
    const total = 12 + parts.length + 4;
    const frame = new Uint8Array(total);
    const view = new DataView(frame.buffer);
    view.setUint32(0, total);
    view.setUint32(4, parts.length);
    view.setUint32(8, crc32(frame.subarray(0, 8)));
    frame.set(parts, 12);
    view.setUint32(total - 4, crc32(frame.subarray(0, total - 4)));
    const [message] = new EventStreamDecoder().push(frame);
    expect(message!.headers).toEqual({
      b: true,
      i: 256,
      l: 42n,
      s: 'hi',
      t: new Date(Number(0x0192e5346800n)),
      u: Uint8Array.from({ length: 16 }, (_, i) => i),
      y: Uint8Array.from([1, 2, 3]),
      c: -1,
      h: 256,
      f: false,
    });
  });

  it('refuses a frame whose prelude or message checksum is wrong, or whose length is impossible', () => {
    const good = eventStreamMessage({ ':event-type': 'chunk' }, '{"bytes":"e30="}');
    const flipped = (at: number) => {
      const bad = good.slice();
      bad[at]! ^= 0x01;
      return bad;
    };
    expect(() => new EventStreamDecoder().push(flipped(good.length - 8))).toThrow(new EventStreamError('message checksum mismatch'));
    expect(() => new EventStreamDecoder().push(flipped(good.length - 1))).toThrow(/message checksum mismatch/);
    expect(() => new EventStreamDecoder().push(flipped(2))).toThrow(/prelude checksum mismatch/);
    const tiny = new Uint8Array(12);
    new DataView(tiny.buffer).setUint32(0, 8);
    new DataView(tiny.buffer).setUint32(8, crc32(tiny.subarray(0, 8)));
    expect(() => new EventStreamDecoder().push(tiny)).toThrow(/impossible message length 8/);
  });
});

describe('InvokeModelWithResponseStream → Anthropic SSE', () => {
  const events = [
    {
      type: 'message_start',
      message: { id: 'msg_bdrk_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 5 } },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi — ☀️' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } },
    { type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 5, outputTokenCount: 3 } },
  ];
  const capture = (): CapturedBytes => ({ kind: 'bytes', chunks: [], bytes: 0, sse: true });

  function run(frames: Uint8Array[], split = 7) {
    const captured = capture();
    const transform = invokeStreamTransform(captured);
    let out = '';
    const all = frames.flatMap((frame) => Array.from(frame));
    for (let at = 0; at < all.length && !transform.done; at += split) {
      const bytes = transform.chunk(Uint8Array.from(all.slice(at, at + split)));
      if (bytes) out += decoder.decode(bytes);
    }
    const end = transform.done ? null : transform.end();
    return { out, transform, end, captured };
  }

  it('sends each chunk event as the SSE frame Anthropic would send, and captures it', () => {
    const { out, transform, end, captured } = run(events.map(chunkMessage));
    expect(out).toBe(events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join(''));
    expect(transform.done).toBe(true);
    expect(transform.failure).toBeNull();
    expect(end).toBeNull();
    expect(decoder.decode(Uint8Array.from(captured.chunks.flatMap((c) => Array.from(c))))).toBe(out);
  });

  it('ends with an error event when an exception frame arrives mid-stream', () => {
    const { out, transform } = run([...events.slice(0, 3).map(chunkMessage), exceptionMessage('modelStreamErrorException', 'Model stream error')]);
    expect(out).toContain('event: content_block_delta');
    expect(
      out.endsWith(
        'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"Amazon Bedrock: modelStreamErrorException: Model stream error"}}\n\n',
      ),
    ).toBe(true);
    expect(transform.failure).toEqual({ type: 'api_error', message: 'Amazon Bedrock: modelStreamErrorException: Model stream error' });
    const throttled = run([chunkMessage(events[0]!), exceptionMessage('throttlingException', 'Too many requests')]);
    expect(throttled.transform.failure?.type).toBe('rate_limit_error');
    const unavailable = run([chunkMessage(events[0]!), exceptionMessage('serviceUnavailableException', 'busy')]);
    expect(unavailable.transform.failure?.type).toBe('overloaded_error');
  });

  it('ends with an error event when a frame fails its checksum, never passing a garbled event on', () => {
    const frames = events.map(chunkMessage);
    frames[2]![frames[2]!.length - 10]! ^= 0x20;
    const { out, transform } = run(frames);
    expect(out).toContain('event: content_block_start');
    expect(out).not.toContain('text_delta');
    expect(transform.failure).toMatchObject({
      type: 'api_error',
      message: expect.stringMatching(/event stream is corrupt after \d+ bytes: message checksum mismatch/),
    });
  });

  it('reports a stream cut before message_stop, mid-frame or between frames', () => {
    const frames = events.slice(0, 4).map(chunkMessage);
    expect(run(frames).end).toEqual({
      bytes: null,
      failure: { type: 'api_error', message: expect.stringMatching(/ended after \d+ bytes without message_stop$/) },
    });
    const cut = [...frames, chunkMessage(events[4]!).slice(0, 20)];
    expect(run(cut).end?.failure?.message).toMatch(/without message_stop, 20 bytes into a frame$/);
  });
});

describe('model ids', () => {
  it('maps Claude ids to Bedrock ids by the rule, the exceptions and the inference profile', () => {
    expect(bedrockModelId('claude-sonnet-4-5-20250929', 'none')).toBe('anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(bedrockModelId('claude-sonnet-4-5-20250929', 'us')).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(bedrockModelId('claude-sonnet-4-5', 'global')).toBe('global.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(bedrockModelId('claude-haiku-4-5', 'eu')).toBe('eu.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(bedrockModelId('claude-opus-4-6', 'us')).toBe('us.anthropic.claude-opus-4-6-v1');
    expect(bedrockModelId('claude-sonnet-4-6', 'apac')).toBe('apac.anthropic.claude-sonnet-4-6');
    expect(bedrockModelId('claude-3-5-sonnet-20241022', 'none')).toBe('anthropic.claude-3-5-sonnet-20241022-v2:0');
    expect(bedrockModelId('claude-opus-4-0', 'none')).toBe('anthropic.claude-opus-4-20250514-v1:0');
    expect(bedrockModelId('Claude-Sonnet-4-5-20250929', 'none')).toBe('anthropic.claude-sonnet-4-5-20250929-v1:0');
    // already Bedrock's: kept as configured
    expect(bedrockModelId('us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'eu')).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3';
    expect(bedrockModelId(arn, 'us')).toBe(arn);
  });

  it('takes the profile from the region when the route names none, and reads ids back', () => {
    expect(['us-east-1', 'us-west-2', 'us-gov-west-1', 'eu-central-1', 'ap-northeast-1', 'ca-central-1', 'sa-east-1'].map(profileForRegion)).toEqual([
      'us',
      'us',
      'us-gov',
      'eu',
      'apac',
      'none',
      'none',
    ]);
    expect(foundationModelId('us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe('anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(foundationModelId('us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe('anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(claudeIdOfBedrock('global.anthropic.claude-opus-4-6-v1')).toBe('claude-opus-4-6');
    expect(claudeIdOfBedrock('anthropic.claude-3-5-sonnet-20241022-v2:0')).toBe('claude-3-5-sonnet-20241022');
    expect(claudeIdOfBedrock('eu.anthropic.claude-haiku-4-5-20251001-v1:0')).toBe('claude-haiku-4-5-20251001');
    expect(claudeIdOfBedrock('amazon.nova-pro-v1:0')).toBeNull();
  });

  it('maps Claude ids to Vertex ids: the date after @, aliases resolved, exceptions', () => {
    expect(vertexModelId('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5@20250929');
    expect(vertexModelId('claude-sonnet-4-5')).toBe('claude-sonnet-4-5@20250929');
    expect(vertexModelId('claude-opus-4-20250514')).toBe('claude-opus-4@20250514');
    expect(vertexModelId('claude-opus-4-6')).toBe('claude-opus-4-6');
    expect(vertexModelId('claude-3-5-sonnet-20241022')).toBe('claude-3-5-sonnet-v2@20241022');
    expect(vertexModelId('claude-haiku-4-5@20251001')).toBe('claude-haiku-4-5@20251001');
    expect(claudeIdOfVertex('claude-sonnet-4-5@20250929')).toBe('claude-sonnet-4-5-20250929');
    expect(claudeIdOfVertex('claude-3-5-sonnet-v2@20241022')).toBe('claude-3-5-sonnet-20241022');
  });
});

describe('beta flags', () => {
  it('keeps only what each platform takes, renamed where it names them differently, without repeats', () => {
    expect(platformBetas(CLAUDE_CODE_BETAS, BEDROCK_POLICY)).toEqual([
      'interleaved-thinking-2025-05-14',
      'context-1m-2025-08-07',
      'context-management-2025-06-27',
      'effort-2025-11-24',
      'tool-search-tool-2025-10-19',
    ]);
    expect(platformBetas(CLAUDE_CODE_BETAS, VERTEX_POLICY)).toEqual([
      'interleaved-thinking-2025-05-14',
      'context-1m-2025-08-07',
      'context-management-2025-06-27',
      'tool-search-tool-2025-10-19',
    ]);
    expect(platformBetas(' tool-search-tool-2025-10-19 , advanced-tool-use-2025-11-20,', BEDROCK_POLICY)).toEqual(['tool-search-tool-2025-10-19']);
    expect(platformBetas(null, BEDROCK_POLICY)).toEqual([]);
  });
});

describe('request bodies', () => {
  it('gives InvokeModel what it takes of a Claude Code request, and leaves the request itself as it was', () => {
    const request = claudeCodeRequest();
    const before = structuredClone(request);
    const built = invokeRequest('https://bedrock-runtime.us-east-1.amazonaws.com', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', request, CLAUDE_CODE_BETAS);
    expect(request).toEqual(before);
    expect(built.url).toBe('https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream');
    const body = built.body as Record<string, Json>;
    expect(Object.keys(body).sort()).toEqual(
      ['anthropic_beta', 'anthropic_version', 'max_tokens', 'messages', 'metadata', 'output_config', 'system', 'thinking', 'tools'].sort(),
    );
    expect(body.anthropic_version).toBe('bedrock-2023-05-31');
    expect(body.anthropic_beta).toEqual(platformBetas(CLAUDE_CODE_BETAS, BEDROCK_POLICY));
    // scope dropped everywhere; a 4.5 model keeps its ttl
    expect(body.system[1].cache_control).toEqual({ type: 'ephemeral', ttl: '1h' });
    expect(body.tools[1].cache_control).toEqual({ type: 'ephemeral' });
    expect(body.tools[0].input_schema).toEqual(request.tools![0]!.input_schema);
    expect(body.messages[0].content[0].cache_control).toEqual({ type: 'ephemeral', ttl: '5m' });
    // the mid-conversation system turn is folded into the user turn after it, behind its tool results
    expect(body.messages).toHaveLength(3);
    expect(body.messages[2].content[0].type).toBe('tool_result');
    expect(body.messages[2].content[0].content[0].cache_control).toEqual({ type: 'ephemeral' });
    expect(body.messages[2].content[1]).toEqual({ type: 'text', text: '<system-reminder>\nThe user switched to plan mode.\n</system-reminder>' });
  });

  it('drops ttl for models before Claude 4.5, and keeps compaction edits only', () => {
    const request = {
      ...claudeCodeRequest('claude-sonnet-4-20250514'),
      context_management: { edits: [{ type: 'clear_thinking_20251015' }, { type: 'compact_20260112', trigger: 150000 }] },
    };
    const body = invokeRequest('https://b.example', 'us.anthropic.claude-sonnet-4-20250514-v1:0', request, null).body as Record<string, Json>;
    expect(body.system[1].cache_control).toEqual({ type: 'ephemeral' });
    expect(body.context_management).toEqual({ edits: [{ type: 'compact_20260112', trigger: 150000 }] });
    expect('anthropic_beta' in body).toBe(false);
    expect(invokeRequest('https://b.example', 'x', { ...request, stream: false }, null).url).toBe('https://b.example/model/x/invoke');
  });

  it('gives the Messages API on Bedrock the model and stream in the body, and CountTokens a base64 InvokeModel body for the foundation model', () => {
    const request = claudeCodeRequest();
    const messages = messagesApiRequest('https://b.example/', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', request, CLAUDE_CODE_BETAS);
    expect(messages.url).toBe('https://b.example/anthropic/v1/messages');
    expect(messages.body).toMatchObject({ anthropic_version: 'bedrock-2023-05-31', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', stream: true });
    expect('anthropic_beta' in messages.body).toBe(false);
    expect(messages.betas).toContain('interleaved-thinking-2025-05-14');

    const { max_tokens: _drop, stream: _stream, ...counting } = request;
    const count = countTokensRequest('https://b.example', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', counting as MessagesRequest, null);
    expect(count.url).toBe('https://b.example/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/count-tokens');
    const inner = JSON.parse(decoder.decode(Uint8Array.from(atob((count.body as Json).input.invokeModel.body), (c) => c.charCodeAt(0))));
    expect(inner).toMatchObject({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 1, messages: expect.any(Array) });
    expect('model' in inner || 'stream' in inner).toBe(false);
  });

  it('gives Vertex the request without model and Anthropic API-only fields', () => {
    const { body } = shapeBody(claudeCodeRequest(), VERTEX_POLICY, { cacheTtl: true });
    expect(Object.keys(body).sort()).toEqual(
      ['context_management', 'max_tokens', 'messages', 'metadata', 'output_config', 'stream', 'system', 'thinking', 'tools'].sort(),
    );
    expect(body.context_management).toEqual({ edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] });
  });

  it('refuses features a platform lacks, naming the field', () => {
    const request = { ...claudeCodeRequest(), mcp_servers: [{ type: 'url', url: 'https://mcp.example', name: 'x' }] };
    expect(() => shapeBody(request, BEDROCK_POLICY, { cacheTtl: true })).toThrow(ProxyError);
    expect(() => shapeBody(request, VERTEX_POLICY, { cacheTtl: true })).toThrow(/^mcp_servers: the MCP connector is not available on Vertex AI/);
  });

  it('folds system turns into the user turn before, after, or one of their own', () => {
    const user = (text: string) => ({ role: 'user', content: text });
    const system = (text: string) => ({ role: 'system', content: [{ type: 'text', text }] });
    const assistant = { role: 'assistant', content: 'ok' };
    const reminder = (text: string) => ({ type: 'text', text: `<system-reminder>\n${text}\n</system-reminder>` });
    expect(foldSystemMessages([user('a'), system('s1'), assistant])).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'a' }, reminder('s1')] },
      assistant,
    ]);
    expect(foldSystemMessages([assistant, system('s2'), system('s3')])).toEqual([assistant, { role: 'user', content: [reminder('s2'), reminder('s3')] }]);
    const unchanged = [user('a'), assistant];
    expect(foldSystemMessages(unchanged)).toBe(unchanged);
  });
});

describe('platform errors', () => {
  const bedrock = (status: number, kind: string, message: string) =>
    fromBedrockError(
      status,
      JSON.stringify({ message }),
      new Headers({ 'x-amzn-errortype': `${kind}:http://internal.amazon.com/coral/com.amazon.bedrock/` }),
      50_000,
    );

  it("maps each of Bedrock's error kinds to Anthropic's type and status", () => {
    const cases: [number, string, string, number][] = [
      [429, 'ThrottlingException', 'rate_limit_error', 429],
      [429, 'ModelNotReadyException', 'overloaded_error', 529],
      [503, 'ServiceUnavailableException', 'overloaded_error', 529],
      [400, 'ValidationException', 'invalid_request_error', 400],
      [403, 'AccessDeniedException', 'permission_error', 403],
      [500, 'InternalServerException', 'api_error', 500],
      [408, 'ModelTimeoutException', 'timeout_error', 504],
      [404, 'ResourceNotFoundException', 'not_found_error', 404],
      [403, 'UnrecognizedClientException', 'permission_error', 403],
    ];
    for (const [status, kind, type, clientStatus] of cases) {
      const error = bedrock(status, kind, `${kind} happened`);
      expect([kind, error.type, error.status, error.message]).toEqual([kind, type, clientStatus, `Amazon Bedrock: ${kind} happened`]);
    }
    // the kind may come in the body only
    expect(fromBedrockError(429, '{"__type":"com.amazon.coral#ThrottlingException","message":"slow"}', new Headers(), 1).type).toBe('rate_limit_error');
    expect(fromStreamException('internalServerException', '{"message":"boom"}')).toEqual({
      type: 'api_error',
      message: 'Amazon Bedrock: internalServerException: boom',
    });
  });

  it('words context overflows the way Claude Code compacts on', () => {
    expect(bedrock(400, 'ValidationException', 'prompt is too long: 215000 tokens > 200000 maximum').message).toBe(
      'prompt is too long: 215000 tokens > 200000 maximum',
    );
    expect(bedrock(400, 'ValidationException', 'Input is too long for requested model.').message).toBe('prompt is too long: 50000 tokens > 49999 maximum');
  });

  it("keeps the model's own Anthropic errors on Vertex and maps Google's by status", () => {
    const overloaded = fromVertexError(529, JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), 1);
    expect([overloaded.type, overloaded.status, overloaded.message]).toEqual(['overloaded_error', 529, 'Vertex AI: Overloaded']);
    const quota = fromVertexError(
      429,
      JSON.stringify([
        {
          error: { code: 429, message: 'Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model', status: 'RESOURCE_EXHAUSTED' },
        },
      ]),
      1,
    );
    expect([quota.type, quota.status]).toEqual(['rate_limit_error', 429]);
    expect(quota.message).toMatch(/^Vertex AI: RESOURCE_EXHAUSTED: Quota exceeded/);
    const missing = fromVertexError(404, JSON.stringify({ error: { code: 404, message: 'Publisher Model `claude-x` not found.', status: 'NOT_FOUND' } }), 1);
    expect([missing.type, missing.status]).toEqual(['not_found_error', 404]);
    expect(fromVertexError(503, 'upstream connect error', 1).type).toBe('overloaded_error');
  });
});
