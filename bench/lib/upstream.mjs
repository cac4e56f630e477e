/**
 * The scripted upstream, run as its own process (its own process group): Anthropic Messages at
 * POST /v1/messages and OpenAI Chat Completions at POST /v1/chat/completions, streamed or whole,
 * after a fixed delay (BENCH_UPSTREAM_DELAY_MS, default 0). Streams go out as one network write
 * per chunk (setImmediate between writes, so they are not coalesced by the server).
 * Prints {"port": N} on stdout once listening.
 */
import { createServer } from 'node:http';
import { answerPieces, anthropicMessage, anthropicStreamWrites, openaiCompletion, openaiStreamWrites } from './fixtures.mjs';

const delayMs = Number(process.env.BENCH_UPSTREAM_DELAY_MS ?? 0);

const answersFor = (pieces) => ({
  anthropic: {
    json: Buffer.from(JSON.stringify(anthropicMessage(pieces))),
    stream: anthropicStreamWrites(pieces).map((text) => Buffer.from(text)),
  },
  openai: {
    json: Buffer.from(JSON.stringify(openaiCompletion(pieces))),
    stream: openaiStreamWrites(pieces).map((text) => Buffer.from(text)),
  },
});
const answers = answersFor(answerPieces());
/** Answers of other lengths, asked for by a model named `…-<N>ev` (the proxy forwards the model as sent). */
const sized = new Map();
const EVENTS_MARK = /"model":"[^"]*-(\d+)ev"/;
function answersOf(body) {
  const m = EVENTS_MARK.exec(body.subarray(0, 4096).toString('latin1'));
  if (!m) return answers;
  const count = Number(m[1]);
  if (!sized.has(count)) sized.set(count, answersFor(answerPieces(count)));
  return sized.get(count);
}

const STREAM_MARK = Buffer.from('"stream":true');
const immediate = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  const protocol = req.url.endsWith('/chat/completions') ? 'openai' : req.url.endsWith('/v1/messages') ? 'anthropic' : null;
  if (req.method !== 'POST' || !protocol) {
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
    return;
  }
  if (delayMs > 0) await sleep(delayMs);
  const answer = answersOf(body)[protocol];
  if (body.includes(STREAM_MARK)) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': 'req_bench' });
    for (let i = 0; i < answer.stream.length; i++) {
      if (i > 0) await immediate();
      res.write(answer.stream[i]);
    }
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.json.length, 'request-id': 'req_bench' });
  res.end(answer.json);
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
server.listen(Number(process.env.BENCH_UPSTREAM_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port, pid: process.pid })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
