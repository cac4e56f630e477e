import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { messageRequest, streamFrames, streamText } from '../fixtures/anthropic';
import { controlledStream, post, scriptUpstream, send, traceOf } from '../helpers/worker';

/**
 * Passthrough event streams are piped by the runtime, not relayed chunk by chunk in JavaScript:
 * a broken answer aborts the client's stream (it errors, it never ends cleanly) and the trace
 * says what happened. The upstream is TEST_STREAMER (test/helpers/streamer.mjs), whose bodies
 * arrive over a connection as fetch bodies do, so the runtime's own pipe is the one under test.
 */

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => {
  upstream?.restore();
  upstream = undefined;
});

const client = { 'x-api-key': 'sk-ant-client-key-native-0001' };
const route = (extra: Record<string, unknown> = {}) => ({
  ROUTES: [{ match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'client', ...extra }],
});
const streamed = { ...messageRequest, stream: true };
const decoder = new TextDecoder();
const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

interface Script {
  frames: string[];
  gapMs?: number;
  end: 'close' | 'cut' | 'stall';
}

/** The upstream answers every call with the script, from Node; returns the id to ask whether it was let go. */
function scripted(script: Script): string {
  const id = crypto.randomUUID();
  upstream = scriptUpstream(() => env.TEST_STREAMER.fetch('http://streamer/', { method: 'POST', body: JSON.stringify({ id, ...script }) }));
  return id;
}

async function letGo(id: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    const { cancelled } = await (await env.TEST_STREAMER.fetch(`http://streamer/cancelled/${id}`)).json<{ cancelled: boolean }>();
    if (cancelled) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** Reads a response body to its end: its text, and the error it ended with, if it did not end cleanly. */
async function readAll(response: Response): Promise<{ text: string; error: unknown }> {
  const reader = response.body!.getReader();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, error: null };
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, error: error ?? new Error('errored') };
  }
}

describe('native passthrough streams', () => {
  it('pipes a complete stream byte for byte and traces the whole answer', async () => {
    scripted({ frames: streamFrames, end: 'close' });
    const sent = await post('/v1/messages', streamed, client, route());
    expect(sent.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const { text, error } = await readAll(sent.response);
    expect(error).toBeNull();
    expect(text).toBe(streamText);
    const row = await traceOf(sent);
    expect(row).toMatchObject({ status: 200, endReason: 'complete', errorType: null, stopReason: 'tool_use', inputTokens: 472, outputTokens: 89 });
    expect(JSON.parse(row.responseBody!).content[1]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { location: 'San Francisco, CA' } });
    expect(row.responseBytes).toBe(bytes(streamText));
    expect(row.ttftMs).not.toBeNull();
  });

  it('sends the first events on while the upstream is still writing', async () => {
    scripted({ frames: streamFrames, gapMs: 40, end: 'close' });
    const started = Date.now();
    const sent = await post('/v1/messages', streamed, client, route());
    const reader = sent.response.body!.getReader();
    const first = decoder.decode((await reader.read()).value);
    // The whole answer takes 12 × 40 ms; the first event is here long before.
    expect(Date.now() - started).toBeLessThan(300);
    expect(streamText.startsWith(first)).toBe(true);
    let text = first;
    for (let read = await reader.read(); !read.done; read = await reader.read()) text += decoder.decode(read.value);
    expect(text).toBe(streamText);
    expect((await traceOf(sent)).endReason).toBe('complete');
  });

  it('aborts the client stream when the upstream connection is cut', async () => {
    scripted({ frames: [streamFrames[0]!, streamFrames[2]!], end: 'cut' });
    const sent = await post('/v1/messages', streamed, client, route());
    const { text, error } = await readAll(sent.response);
    expect(error).not.toBeNull();
    expect(text).toBe(streamFrames[0]! + streamFrames[2]!);
    const row = await traceOf(sent);
    expect(row.endReason).toBe('upstream_error');
    expect(row.errorType).toBe('api_error');
    expect(row.errorMessage).toMatch(new RegExp(`^upstream connection failed mid-stream after ${bytes(text)} bytes: `));
  });

  it('aborts the client stream when the upstream ends without message_stop', async () => {
    const frames = streamFrames.slice(0, 5);
    scripted({ frames, end: 'close' });
    const sent = await post('/v1/messages', streamed, client, route());
    const { text, error } = await readAll(sent.response);
    // Every byte the upstream sent arrived, and then the stream errored instead of ending.
    expect(text).toBe(frames.join(''));
    expect(error).not.toBeNull();
    const row = await traceOf(sent);
    expect(row.endReason).toBe('upstream_error');
    expect(row.errorType).toBe('api_error');
    expect(row.errorMessage).toBe(`upstream stream ended after ${bytes(text)} bytes without message_stop`);
  });

  it('ends cleanly after the upstream’s own error event, which the trace records', async () => {
    const overloaded = 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    scripted({ frames: [streamFrames[0]!, overloaded], end: 'close' });
    const sent = await post('/v1/messages', streamed, client, route());
    const { text, error } = await readAll(sent.response);
    expect(error).toBeNull();
    expect(text).toBe(streamFrames[0]! + overloaded);
    const row = await traceOf(sent);
    expect(row.errorType).toBe('overloaded_error');
  });

  it('aborts the client stream and lets the upstream go when it stalls past idleTimeoutMs', async () => {
    const id = scripted({ frames: [streamFrames[0]!, streamFrames[2]!], end: 'stall' });
    const started = Date.now();
    const sent = await post('/v1/messages', streamed, client, route({ idleTimeoutMs: 150 }));
    const { text, error } = await readAll(sent.response);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).not.toBeNull();
    expect(text).toBe(streamFrames[0]! + streamFrames[2]!);
    const row = await traceOf(sent);
    expect(row.endReason).toBe('upstream_error');
    expect(row.errorType).toBe('timeout_error');
    expect(row.errorMessage).toBe(`the upstream sent nothing for 150 ms (after ${bytes(text)} bytes)`);
    expect(await letGo(id)).toBe(true);
  });

  it('keeps a slow stream that is never silent for idleTimeoutMs', async () => {
    // 13 frames 60 ms apart: 720 ms in all, far past the idle timeout, never silent that long.
    scripted({ frames: streamFrames, gapMs: 60, end: 'close' });
    const sent = await post('/v1/messages', streamed, client, route({ idleTimeoutMs: 200 }));
    const { text, error } = await readAll(sent.response);
    expect(error).toBeNull();
    expect(text).toBe(streamText);
    expect((await traceOf(sent)).endReason).toBe('complete');
  });

  it('lets the upstream go and traces client_abort when the client leaves mid-stream', async () => {
    const id = scripted({ frames: [streamFrames[0]!], end: 'stall' });
    // A disconnect, as the runtime reports it: the request's signal fires and the response body is cancelled.
    const disconnect = new AbortController();
    const sent = await send(
      '/v1/messages',
      { method: 'POST', headers: { 'content-type': 'application/json', ...client }, body: JSON.stringify(streamed), signal: disconnect.signal },
      route(),
    );
    const reader = sent.response.body!.getReader();
    expect(decoder.decode((await reader.read()).value)).toBe(streamFrames[0]);
    disconnect.abort();
    await reader.cancel('client closed the tab');
    const row = await traceOf(sent);
    expect(row.endReason).toBe('client_abort');
    expect(row.errorType).toBe('client_abort');
    expect(row.errorMessage).toBe(`client disconnected after ${bytes(streamFrames[0]!)} bytes`);
    expect(await letGo(id)).toBe(true);
  });

  it('keeps the same semantics for a body that is not a byte stream (read chunk by chunk)', async () => {
    const source = controlledStream();
    upstream = scriptUpstream(() => new Response(source.stream, { headers: { 'content-type': 'text/event-stream' } }));
    const sent = await post('/v1/messages', streamed, client, route());
    for (const frame of streamFrames.slice(0, 3)) source.push(frame);
    source.close();
    const { text, error } = await readAll(sent.response);
    expect(text).toBe(streamFrames.slice(0, 3).join(''));
    expect(error).not.toBeNull();
    expect((await traceOf(sent)).errorMessage).toBe(`upstream stream ended after ${bytes(text)} bytes without message_stop`);
  });
});
