// Scripted Amazon Bedrock and Google Vertex AI upstreams that check what the real ones check:
// the SigV4 signature recomputed from the request as received (a tampered body or date fails),
// the service account's JWT (RS256, verified with the key's public half) at the token endpoint,
// the bearer token it issued, the body's shape (the API version, fields and beta flags the
// platform takes). Written with Web APIs only, so the same code runs inside workerd (tests that
// stub fetch) and in Node (loopback servers for end-to-end tests and Claude Code smoke runs).
// Independent of the proxy's code on purpose: it recomputes signatures its own way.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// ---------------------------------------------------------------------------------------------
// bytes

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function toBase64(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function fromBase64url(text) {
  const padded = text.replace(/-/g, '+').replace(/_/g, '/');
  return fromBase64(padded + '='.repeat((4 - (padded.length % 4)) % 4));
}

/** CRC-32 (IEEE), bit by bit: slow and obviously right, for checking the proxy's table-driven one. */
export function crc32Reference(bytes) {
  let crc = ~0 >>> 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0;
}

// ---------------------------------------------------------------------------------------------
// AWS Signature Version 4, recomputed from a received request

async function hmac(key, text) {
  const imported = await crypto.subtle.importKey('raw', typeof key === 'string' ? encoder.encode(key) : key, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return crypto.subtle.sign('HMAC', imported, encoder.encode(text));
}

async function sha256Hex(bytes) {
  return hex(await crypto.subtle.digest('SHA-256', bytes));
}

/** RFC 3986 encoding of one path segment or query part, as SigV4 wants it (unreserved characters kept). */
function uriEncode(text) {
  return [...encoder.encode(text)]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/**
 * Checks a request's SigV4 signature the way AWS does: rebuilds the canonical request from what
 * arrived (method, path encoded once more, query, the signed headers' values, the body's hash),
 * derives the signing key from the secret, and compares. Also refuses a date more than five
 * minutes off and a wrong session token. Returns null when the request is authentic, else AWS's
 * error kind and message.
 */
export async function verifySigV4(request, body, credentials, { service, region, now = Date.now() }) {
  const header = request.headers.get('authorization') ?? '';
  const parsed = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
    header,
  );
  if (!parsed) return { kind: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const [, keyId, day, scopeRegion, scopeService, signedHeaders, signature] = parsed;
  if (keyId !== credentials.accessKeyId) return { kind: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  if (scopeRegion !== region || scopeService !== service) {
    return { kind: 'InvalidSignatureException', message: `Credential should be scoped to a valid region and service: ${scopeRegion}/${scopeService}` };
  }
  if (credentials.sessionToken && request.headers.get('x-amz-security-token') !== credentials.sessionToken) {
    return { kind: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  }
  const amzDate = request.headers.get('x-amz-date') ?? '';
  const when = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (Number.isNaN(when) || amzDate.slice(0, 8) !== day)
    return { kind: 'InvalidSignatureException', message: 'Date must be in ISO-8601 basic format and match the credential scope' };
  if (Math.abs(now - when) > 5 * 60_000)
    return { kind: 'InvalidSignatureException', message: `Signature expired: ${amzDate} is now earlier or later than 5 minutes from now` };
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) return { kind: 'InvalidSignatureException', message: 'host and x-amz-date must be signed' };

  const url = new URL(request.url);
  const canonicalUri = url.pathname
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/');
  const canonicalQuery = [...url.searchParams]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = names
    .map((name) => `${name}:${(name === 'host' ? (request.headers.get('host') ?? url.host) : (request.headers.get(name) ?? '')).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const bodyHash = await sha256Hex(body);
  const claimedHash = request.headers.get('x-amz-content-sha256');
  if (claimedHash && claimedHash !== bodyHash)
    return { kind: 'InvalidSignatureException', message: 'The provided x-amz-content-sha256 header does not match what was computed.' };
  const canonicalRequest = [request.method.toUpperCase(), canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, bodyHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, await sha256Hex(encoder.encode(canonicalRequest))].join('\n');
  let key = await hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [region, service, 'aws4_request']) key = await hmac(key, part);
  const expected = hex(await hmac(key, stringToSign));
  if (expected !== signature) {
    return {
      kind: 'InvalidSignatureException',
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// AWS event-stream framing, written

function headerBytes(headers) {
  const parts = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = encoder.encode(name);
    const valueBytes = encoder.encode(value);
    const part = new Uint8Array(1 + nameBytes.length + 1 + 2 + valueBytes.length);
    part[0] = nameBytes.length;
    part.set(nameBytes, 1);
    part[1 + nameBytes.length] = 7; // string
    new DataView(part.buffer).setUint16(2 + nameBytes.length, valueBytes.length);
    part.set(valueBytes, 4 + nameBytes.length);
    parts.push(part);
  }
  return concatBytes(parts);
}

function concatBytes(parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** One event-stream message: prelude with its CRC, string headers, payload, message CRC. */
export function eventStreamMessage(headers, payload) {
  const head = headerBytes(headers);
  const body = typeof payload === 'string' ? encoder.encode(payload) : payload;
  const total = 12 + head.length + body.length + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, total);
  view.setUint32(4, head.length);
  view.setUint32(8, crc32Reference(out.subarray(0, 8)));
  out.set(head, 12);
  out.set(body, 12 + head.length);
  view.setUint32(total - 4, crc32Reference(out.subarray(0, total - 4)));
  return out;
}

/** A `chunk` event carrying one Anthropic stream event, as InvokeModelWithResponseStream sends it. */
export function chunkMessage(event) {
  const payload = JSON.stringify({
    bytes: toBase64(encoder.encode(JSON.stringify(event))),
    p: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'.slice(0, 5 + (event.type.length % 20)),
  });
  return eventStreamMessage({ ':event-type': 'chunk', ':content-type': 'application/json', ':message-type': 'event' }, payload);
}

/** An exception frame (`throttlingException`, `modelStreamErrorException`, …) inside the stream. */
export function exceptionMessage(exceptionType, message) {
  return eventStreamMessage(
    { ':exception-type': exceptionType, ':content-type': 'application/json', ':message-type': 'exception' },
    JSON.stringify({ message }),
  );
}

// ---------------------------------------------------------------------------------------------
// Google service accounts

function pem(label, der) {
  const lines = toBase64(new Uint8Array(der)).match(/.{1,64}/g);
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A fresh RSA key pair and a service-account key JSON around its private half, as Google issues them. */
export async function makeServiceAccount({ tokenUri, project = 'proxy-test-project', email = `claude-proxy@${project}.iam.gserviceaccount.com` }) {
  const pair = await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  );
  const privateKey = pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  const keyId = hex(crypto.getRandomValues(new Uint8Array(20)));
  const json = JSON.stringify(
    {
      type: 'service_account',
      project_id: project,
      private_key_id: keyId,
      private_key: privateKey,
      client_email: email,
      client_id: '109876543210987654321',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: tokenUri,
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      universe_domain: 'googleapis.com',
    },
    null,
    2,
  );
  return { json, publicKey: pair.publicKey, privateKey, keyId, email };
}

/**
 * Checks a JWT-bearer assertion as Google's token endpoint does: RS256 signature against the
 * account's public key, issuer, audience, scope, and a lifetime of at most an hour around now.
 * Returns the claims, or throws with the reason.
 */
export async function verifyAssertion(assertion, { publicKey, email, audience, now = Date.now() }) {
  const [head, payload, signature] = String(assertion).split('.');
  if (!head || !payload || !signature) throw new Error('invalid_grant: not a JWT');
  const header = JSON.parse(decoder.decode(fromBase64url(head)));
  if (header.alg !== 'RS256') throw new Error(`invalid_grant: alg ${header.alg}`);
  const valid = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', publicKey, fromBase64url(signature), encoder.encode(`${head}.${payload}`));
  if (!valid) throw new Error('invalid_grant: Invalid JWT Signature.');
  const claims = JSON.parse(decoder.decode(fromBase64url(payload)));
  const seconds = now / 1000;
  if (claims.iss !== email) throw new Error(`invalid_grant: issuer ${claims.iss}`);
  if (claims.aud !== audience) throw new Error(`invalid_grant: audience ${claims.aud}`);
  if (!String(claims.scope).split(' ').includes('https://www.googleapis.com/auth/cloud-platform')) throw new Error('invalid_scope');
  if (claims.iat > seconds + 60 || claims.exp < seconds || claims.exp - claims.iat > 3600)
    throw new Error('invalid_grant: Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
  return { header, claims };
}

// ---------------------------------------------------------------------------------------------
// What the scripted model answers

/**
 * The Anthropic stream events of an answer: `{text}` or `{tool: {name, input}}`, with usage that
 * has cache reads and writes.
 */
export function answerEvents(
  answer,
  { id, model, usage = { input_tokens: 1200, output_tokens: 40, cache_read_input_tokens: 900, cache_creation_input_tokens: 300 } },
) {
  const events = [
    {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: usage.input_tokens,
          cache_read_input_tokens: usage.cache_read_input_tokens,
          cache_creation_input_tokens: usage.cache_creation_input_tokens,
          output_tokens: 1,
        },
      },
    },
  ];
  if (answer.tool) {
    const input = JSON.stringify(answer.tool.input);
    const half = Math.floor(input.length / 2);
    events.push(
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: answer.tool.id ?? `toolu_${id}`, name: answer.tool.name, input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: input.slice(0, half) } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: input.slice(half) } },
      { type: 'content_block_stop', index: 0 },
    );
  } else {
    const words = answer.text.split(/(?<= )/);
    events.push({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    for (const word of words) events.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: word } });
    events.push({ type: 'content_block_stop', index: 0 });
  }
  events.push(
    {
      type: 'message_delta',
      delta: { stop_reason: answer.tool ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    },
    { type: 'message_stop' },
  );
  return events;
}

/** The same answer as one Messages API JSON body. */
export function answerMessage(answer, options) {
  const usage = options.usage ?? { input_tokens: 1200, output_tokens: 40, cache_read_input_tokens: 900, cache_creation_input_tokens: 300 };
  return {
    id: options.id,
    type: 'message',
    role: 'assistant',
    model: options.model,
    content: answer.tool
      ? [{ type: 'tool_use', id: answer.tool.id ?? `toolu_${options.id}`, name: answer.tool.name, input: answer.tool.input }]
      : [{ type: 'text', text: answer.text }],
    stop_reason: answer.tool ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage,
  };
}

function sse(events) {
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
}

function streamOf(parts) {
  return new ReadableStream({
    async start(controller) {
      for (const part of parts) {
        controller.enqueue(typeof part === 'string' ? encoder.encode(part) : part);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      controller.close();
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Bedrock

/** Top-level fields InvokeModel takes for Claude; anything else is "Extra inputs are not permitted". */
const BEDROCK_FIELDS = new Set([
  'anthropic_version',
  'anthropic_beta',
  'messages',
  'max_tokens',
  'system',
  'stop_sequences',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'metadata',
  'output_config',
  'context_management',
]);

/** Beta flags this scripted Bedrock takes; any other is "invalid beta flag". */
const BEDROCK_BETAS = new Set([
  'interleaved-thinking-2025-05-14',
  'context-1m-2025-08-07',
  'context-management-2025-06-27',
  'effort-2025-11-24',
  'computer-use-2025-01-24',
  'fine-grained-tool-streaming-2025-05-14',
  'tool-search-tool-2025-10-19',
  'compact-2026-01-12',
]);

function bedrockError(status, kind, message, requestId) {
  return new Response(JSON.stringify({ message }), {
    status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': `${kind}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      'x-amzn-requestid': requestId,
    },
  });
}

/** Why a Claude body would be refused by Bedrock (null when it would not). */
function bedrockBodyProblem(body, { invoke }) {
  if (body.anthropic_version !== 'bedrock-2023-05-31') return `anthropic_version: expected bedrock-2023-05-31, got ${body.anthropic_version}`;
  const extra = Object.keys(body).filter((key) => !BEDROCK_FIELDS.has(key) && (invoke || (key !== 'model' && key !== 'stream')));
  if (extra.length > 0) return `#: extraneous key [${extra[0]}] is not permitted`;
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: required';
  if (typeof body.max_tokens !== 'number') return 'max_tokens: required';
  for (const flag of body.anthropic_beta ?? []) if (!BEDROCK_BETAS.has(flag)) return 'invalid beta flag';
  const edits = body.context_management?.edits ?? [];
  if (edits.some((edit) => edit.type !== 'compact_20260112')) return 'context_management: Extra inputs are not permitted';
  return null;
}

/**
 * A scripted Bedrock Runtime. `auth` is `{credentials, region}` (SigV4) or `{apiKey}` (a Bedrock
 * API key). `reply(body, call)` decides each answer: `{text}`, `{tool}`, `{error: {status, kind,
 * message}}`, or `{exception: {type, message}, after}` (a stream that breaks after `after` events).
 * Records every call in `calls` with the check results.
 */
export function scriptedBedrock({ auth, reply, countTokens = true, usage }) {
  const calls = [];
  let sequence = 0;
  return {
    calls,
    async handle(request) {
      const bytes = new Uint8Array(await request.arrayBuffer());
      const url = new URL(request.url);
      const requestId = `bedrock-req-${String(++sequence).padStart(4, '0')}-${crypto.randomUUID()}`;
      const call = { path: decodeURIComponent(url.pathname), headers: request.headers, body: null, requestId, refused: null };
      calls.push(call);
      const refuse = (status, kind, message) => {
        call.refused = `${kind}: ${message}`;
        return bedrockError(status, kind, message, requestId);
      };
      if (auth.apiKey) {
        if (request.headers.get('authorization') !== `Bearer ${auth.apiKey}`)
          return refuse(403, 'AccessDeniedException', 'Authentication failed: invalid API key');
      } else {
        const problem = await verifySigV4(request, bytes, auth.credentials, { service: 'bedrock', region: auth.region });
        if (problem) return refuse(403, problem.kind, problem.message);
      }
      let body;
      try {
        body = JSON.parse(decoder.decode(bytes));
      } catch {
        return refuse(400, 'ValidationException', 'Malformed input request: not JSON');
      }
      call.body = body;
      const invoke = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/.exec(call.path);
      const counting = /^\/model\/([^/]+)\/count-tokens$/.exec(call.path);
      const messagesApi = call.path === '/anthropic/v1/messages';
      if (counting) {
        if (!countTokens || counting[1].includes(':0') === false)
          return refuse(400, 'ValidationException', "The provided model doesn't support counting tokens.");
        if (/^(us|eu|apac|global|jp|au)\./.test(counting[1])) return refuse(400, 'ValidationException', "The provided model doesn't support counting tokens.");
        const inner = JSON.parse(decoder.decode(fromBase64(body.input?.invokeModel?.body ?? '')));
        const problem = bedrockBodyProblem(inner, { invoke: true });
        if (problem) return refuse(400, 'ValidationException', problem);
        call.counted = inner;
        return Response.json({ inputTokens: 7 + JSON.stringify(inner.messages).length }, { headers: { 'x-amzn-requestid': requestId } });
      }
      if (!invoke && !messagesApi) return refuse(404, 'UnknownOperationException', `no operation at ${call.path}`);
      const problem = bedrockBodyProblem(body, { invoke: Boolean(invoke) });
      if (problem) return refuse(400, 'ValidationException', problem);
      const modelId = invoke ? invoke[1] : body.model;
      if (messagesApi) {
        for (const flag of (request.headers.get('anthropic-beta') ?? '').split(',').filter(Boolean)) {
          if (!BEDROCK_BETAS.has(flag)) return refuse(400, 'ValidationException', 'invalid beta flag');
        }
      }
      const stream = invoke ? invoke[2] === 'invoke-with-response-stream' : body.stream === true;
      const answer = await reply(body, { modelId, stream, api: invoke ? 'invoke' : 'messages', call, number: calls.length });
      if (answer.error) return refuse(answer.error.status, answer.error.kind, answer.error.message);
      const options = { id: `msg_bdrk_${String(sequence).padStart(6, '0')}`, model: 'claude-scripted', usage };
      const headers = { 'x-amzn-requestid': requestId };
      if (!stream) return Response.json(answerMessage(answer, options), { headers });
      const events = answerEvents(answer.exception ? { text: 'partial answer that breaks ' } : answer, options);
      if (invoke) {
        // Bedrock adds its own metrics to the last event.
        events.at(-1)['amazon-bedrock-invocationMetrics'] = { inputTokenCount: options.usage?.input_tokens ?? 1200, outputTokenCount: 40 };
        const frames = events.map(chunkMessage);
        if (answer.exception) frames.splice(answer.after ?? 3, Number.POSITIVE_INFINITY, exceptionMessage(answer.exception.type, answer.exception.message));
        if (answer.corrupt) frames[answer.corrupt][frames[answer.corrupt].length - 6] ^= 0xff;
        return new Response(streamOf(frames), {
          headers: { ...headers, 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-bedrock-content-type': 'application/json' },
        });
      }
      return new Response(streamOf([sse(events)]), { headers: { ...headers, 'content-type': 'text/event-stream' } });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Vertex AI and its token endpoint

/** Beta flags this scripted Vertex takes; any other is "invalid beta flag". */
const VERTEX_BETAS = new Set([
  'interleaved-thinking-2025-05-14',
  'context-1m-2025-08-07',
  'context-management-2025-06-27',
  'computer-use-2025-01-24',
  'tool-search-tool-2025-10-19',
  'web-search-2025-03-05',
]);

/**
 * A scripted Google OAuth token endpoint and Vertex AI. The token endpoint verifies each
 * assertion (RS256 with `publicKey`) and issues `ya29.` tokens that expire after `tokenSeconds`;
 * Vertex accepts only a token it issued and has not revoked (`revoke(token)` makes Vertex refuse
 * it with 401, as a token revoked mid-life is). `reply` as for Bedrock; `{error: {status, body}}`
 * answers that error body.
 */
export function scriptedVertex({ account, project, region, reply, tokenSeconds = 3600, usage }) {
  const calls = [];
  const exchanges = [];
  const issued = new Set();
  let sequence = 0;
  return {
    calls,
    exchanges,
    revoke: (token) => issued.delete(token),
    async handle(request) {
      const url = new URL(request.url);
      const text = decoder.decode(await request.arrayBuffer());
      if (url.pathname.endsWith('/token')) {
        const form = new URLSearchParams(text);
        const exchange = { grantType: form.get('grant_type'), claims: null, error: null };
        exchanges.push(exchange);
        try {
          if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') throw new Error('unsupported_grant_type');
          exchange.claims = (
            await verifyAssertion(form.get('assertion'), { publicKey: account.publicKey, email: account.email, audience: request.url })
          ).claims;
        } catch (err) {
          exchange.error = err.message;
          const [code, ...description] = err.message.split(': ');
          return Response.json({ error: code, error_description: description.join(': ') || code }, { status: 400 });
        }
        const token = `ya29.c.scripted-${crypto.randomUUID()}-${crypto.randomUUID()}`;
        issued.add(token);
        return Response.json({ access_token: token, expires_in: tokenSeconds, token_type: 'Bearer' });
      }
      const requestId = `vertex-req-${String(++sequence).padStart(4, '0')}`;
      const call = {
        path: url.pathname,
        headers: request.headers,
        body: null,
        requestId,
        refused: null,
        token: (request.headers.get('authorization') ?? '').replace(/^Bearer /, ''),
      };
      calls.push(call);
      const googleError = (status, code, message) => {
        call.refused = `${code}: ${message}`;
        return Response.json({ error: { code: status, message, status: code } }, { status, headers: { 'x-request-id': requestId } });
      };
      if (!issued.has(call.token)) return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
      const base = `/v1/projects/${project}/locations/${region}/publishers/anthropic/models/`;
      if (!url.pathname.startsWith(base)) return googleError(404, 'NOT_FOUND', `no such resource ${url.pathname}`);
      const [model, action] = url.pathname.slice(base.length).split(':');
      const body = JSON.parse(text);
      call.body = body;
      if (body.anthropic_version !== 'vertex-2023-10-16')
        return googleError(400, 'INVALID_ARGUMENT', `anthropic_version: expected vertex-2023-10-16, got ${body.anthropic_version}`);
      for (const flag of (request.headers.get('anthropic-beta') ?? '').split(',').filter(Boolean)) {
        if (!VERTEX_BETAS.has(flag)) return googleError(400, 'INVALID_ARGUMENT', `invalid beta flag: ${flag}`);
      }
      if (model === 'count-tokens' && action === 'rawPredict') {
        if (!body.model) return googleError(400, 'INVALID_ARGUMENT', 'model: field required');
        return Response.json({ input_tokens: 11 + JSON.stringify(body.messages).length }, { headers: { 'x-request-id': requestId } });
      }
      if ('model' in body) return googleError(400, 'INVALID_ARGUMENT', 'model: Extra inputs are not permitted');
      if (action !== 'rawPredict' && action !== 'streamRawPredict') return googleError(404, 'NOT_FOUND', `no method ${action}`);
      if ((action === 'streamRawPredict') !== (body.stream === true)) return googleError(400, 'INVALID_ARGUMENT', `${action} with stream=${body.stream}`);
      const answer = await reply(body, { modelId: model, stream: body.stream === true, call, number: calls.length });
      if (answer.error) {
        call.refused = JSON.stringify(answer.error.body);
        return Response.json(answer.error.body, { status: answer.error.status, headers: { 'x-request-id': requestId } });
      }
      const options = { id: `msg_vrtx_${String(sequence).padStart(6, '0')}`, model, usage };
      const headers = { 'x-request-id': requestId };
      if (!body.stream) return Response.json(answerMessage(answer, options), { headers });
      return new Response(streamOf(answerEvents(answer, options).map((event) => sse([event]))), {
        headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8' },
      });
    },
  };
}
