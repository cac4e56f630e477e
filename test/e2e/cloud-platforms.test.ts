import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServiceAccount, type Reply, scriptedBedrock, scriptedVertex } from '../helpers/platforms.mjs';
import { serveFetch } from '../helpers/serve.mjs';
import { eventually, startProxy } from './harness';

// The running worker against Bedrock and Vertex scripted on loopback: Bedrock recomputes every
// request's SigV4 signature, the token endpoint verifies the service account's JWT with the
// key's public half, Vertex accepts only the tokens it issued.

const CREDENTIALS = { accessKeyId: 'AKIAE2ETESTKEY000001', secretAccessKey: 'e2e/secret+access/key0000000000000000000' };
const PROXY_KEY = 'proxy-key-e2e-cloud-0001';

const weather = {
  name: 'get_weather',
  description: 'Weather for a city.',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
};

/** Calls the tool first, then answers with what the tool said. */
const toolThenText: Reply = (body) => {
  const result = JSON.stringify(body.messages).match(/"tool_result".*?"content":"([^"]*)"/)?.[1];
  if (body.messages.at(-1).content === 'fail please')
    return {
      error: {
        status: 429,
        kind: 'ThrottlingException',
        message: 'Too many requests, please wait.',
        body: { error: { code: 429, message: 'Quota exceeded.', status: 'RESOURCE_EXHAUSTED' } },
      },
    };
  return result ? { text: `It is ${result}.` } : { tool: { name: 'get_weather', input: { city: 'Paris' } } };
};

let bedrock: ReturnType<typeof scriptedBedrock>;
let vertex: ReturnType<typeof scriptedVertex>;
let servers: { url: string; close(): Promise<void> }[] = [];
let proxy: Awaited<ReturnType<typeof startProxy>>;

beforeAll(async () => {
  bedrock = scriptedBedrock({ auth: { credentials: CREDENTIALS, region: 'us-east-1' }, reply: toolThenText });
  const bedrockServer = await serveFetch((request) => bedrock.handle(request));
  // The token endpoint lives on the same loopback server as Vertex: its URL goes into the key.
  let vertexHandle: (request: Request) => Promise<Response> = async () => new Response(null, { status: 503 });
  const vertexServer = await serveFetch((request) => vertexHandle(request));
  const account = await makeServiceAccount({ tokenUri: `${vertexServer.url}/token` });
  vertex = scriptedVertex({ account, project: 'e2e-project', region: 'us-east5', reply: toolThenText });
  vertexHandle = (request) => vertex.handle(request);
  servers = [bedrockServer, vertexServer];
  proxy = await startProxy(
    {
      ROUTES: JSON.stringify([
        {
          match: 'claude-bedrock-messages-*',
          provider: 'bedrock',
          bedrockApi: 'messages',
          region: 'us-east-1',
          baseUrl: bedrockServer.url,
          model: 'claude-opus-4-6',
          awsAccessKeyId: 'AWS_ACCESS_KEY_ID',
          awsSecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
          retries: 0,
        },
        {
          match: 'claude-vertex-*',
          provider: 'vertex',
          project: 'e2e-project',
          region: 'us-east5',
          baseUrl: vertexServer.url,
          model: 'claude-sonnet-4-5',
          serviceAccount: 'GCP_SERVICE_ACCOUNT',
          retries: 0,
        },
        {
          match: 'claude-*',
          provider: 'bedrock',
          region: 'us-east-1',
          baseUrl: bedrockServer.url,
          awsAccessKeyId: 'AWS_ACCESS_KEY_ID',
          awsSecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
          retries: 0,
        },
      ]),
    },
    {
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      GCP_SERVICE_ACCOUNT: account.json,
      PROXY_API_KEYS: `e2e:${PROXY_KEY}`,
    },
  );
});

afterAll(async () => {
  await proxy?.close();
  for (const server of servers) await server.close();
});

const client = () => new Anthropic({ baseURL: proxy.url, apiKey: PROXY_KEY, maxRetries: 0 });

/** A tool round trip with the SDK's stream helper: the tool call, then the answer built on its result. */
async function toolRoundTrip(model: string) {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
  const first = await client()
    .messages.stream({ model, max_tokens: 256, tools: [weather], messages })
    .finalMessage();
  const call = first.content.find((block) => block.type === 'tool_use');
  messages.push(
    { role: 'assistant', content: first.content },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: call!.id, content: 'sunny and 21 C' }] },
  );
  const second = await client()
    .messages.stream({ model, max_tokens: 256, tools: [weather], messages })
    .finalMessage();
  return { first, second, call };
}

interface TraceRow {
  target_model: string;
  status: number;
  end_reason: string;
  input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  cost_micros: number | null;
  attempts: string;
}

async function traces(model: string, count: number): Promise<TraceRow[]> {
  return eventually(async () => {
    const rows = await proxy.query<TraceRow>(
      'SELECT target_model, status, end_reason, input_tokens, cache_read_input_tokens, cache_creation_input_tokens, cost_micros, attempts FROM traces WHERE requested_model = ? ORDER BY id',
      model,
    );
    expect(rows.length).toBeGreaterThanOrEqual(count);
    return rows;
  });
}

describe('the Anthropic SDK through the worker to Bedrock on loopback', () => {
  it('completes a tool round trip over InvokeModel streams, each request signed and verified', async () => {
    const { first, second, call } = await toolRoundTrip('claude-haiku-4-5-20251001');
    expect(call).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
    expect(first.stop_reason).toBe('tool_use');
    expect(second.content).toEqual([{ type: 'text', text: 'It is sunny and 21 C.' }]);
    const calls = bedrock.calls.filter((c) => c.path.includes('claude-haiku-4-5-20251001'));
    expect(calls.map((c) => [c.path, c.refused])).toEqual([
      ['/model/us.anthropic.claude-haiku-4-5-20251001-v1:0/invoke-with-response-stream', null],
      ['/model/us.anthropic.claude-haiku-4-5-20251001-v1:0/invoke-with-response-stream', null],
    ]);
    const rows = await traces('claude-haiku-4-5-20251001', 2);
    for (const [i, row] of rows.entries()) {
      expect(row).toMatchObject({
        target_model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
        status: 200,
        end_reason: 'complete',
        input_tokens: 1200,
        cache_read_input_tokens: 900,
      });
      expect(row.cost_micros).toBeGreaterThan(0);
      expect(JSON.parse(row.attempts)[0].requestId).toBe(calls[i]!.requestId);
    }
  });

  it('streams over the Messages API, counts tokens with CountTokens, and maps a throttle to 429', async () => {
    const { second } = await toolRoundTrip('claude-bedrock-messages-x');
    expect(second.content).toEqual([{ type: 'text', text: 'It is sunny and 21 C.' }]);
    expect(
      bedrock.calls.filter((c) => c.path === '/anthropic/v1/messages').every((c) => c.refused === null && c.body?.model === 'us.anthropic.claude-opus-4-6-v1'),
    ).toBe(true);

    const counted = await client().messages.countTokens({ model: 'claude-haiku-4-5-20251001', messages: [{ role: 'user', content: 'Count me' }] });
    expect(counted.input_tokens).toBe(7 + JSON.stringify([{ role: 'user', content: 'Count me' }]).length);

    const error = await client()
      .messages.create({ model: 'claude-haiku-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'fail please' }] })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect((error as InstanceType<typeof Anthropic.APIError>).message).toContain('Amazon Bedrock: Too many requests, please wait.');
  });
});

describe('the Anthropic SDK through the worker to Vertex AI on loopback', () => {
  it('completes a tool round trip over streamRawPredict with one verified token exchange, and counts tokens', async () => {
    const { second } = await toolRoundTrip('claude-vertex-x');
    expect(second.content).toEqual([{ type: 'text', text: 'It is sunny and 21 C.' }]);
    const counted = await client().messages.countTokens({ model: 'claude-vertex-x', messages: [{ role: 'user', content: 'Count me' }] });
    expect(counted.input_tokens).toBe(11 + JSON.stringify([{ role: 'user', content: 'Count me' }]).length);
    expect(vertex.exchanges).toHaveLength(1);
    expect(vertex.exchanges[0]!.error).toBeNull();
    expect(vertex.calls.map((c) => [c.path.split('/models/')[1], c.refused])).toEqual([
      ['claude-sonnet-4-5@20250929:streamRawPredict', null],
      ['claude-sonnet-4-5@20250929:streamRawPredict', null],
      ['count-tokens:rawPredict', null],
    ]);
    const rows = await traces('claude-vertex-x', 2);
    expect(rows[0]).toMatchObject({ target_model: 'claude-sonnet-4-5@20250929', status: 200, end_reason: 'complete', cache_creation_input_tokens: 300 });
    expect(rows[0]!.cost_micros).toBe(Math.round(1200 * 3 + 40 * 15 + 900 * 0.3 + 300 * 3.75));

    const error = await client()
      .messages.create({ model: 'claude-vertex-x', max_tokens: 8, messages: [{ role: 'user', content: 'fail please' }] })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
  });
});
