import { ProxyError } from '../../core/errors';
import { estimateRequestTokens } from '../../protocol/tokens';
import type { CallObserver, PreparedRequest, Provider, SecretLookup } from '../../upstream/types';
import type { Target } from '../../config/routes';
import { relayAnthropicAnswer } from '../anthropic/relay';
import { BEDROCK, fromBedrockError } from './errors';
import { checkedPlatformModelId } from '../platform-models';
import { bedrockModelId, profileForRegion } from './models';
import { type BedrockRequest, countTokensRequest, invokeRequest, messagesApiRequest } from './request';
import { type AwsCredentials, sigV4Signer } from './sign';
import { invokeStreamTransform } from './stream';

/**
 * Claude on Amazon Bedrock: InvokeModel (the default; its stream arrives in AWS's binary
 * event-stream framing and is translated into Anthropic SSE) or the Anthropic Messages API that
 * Bedrock serves (SSE, passed through). Requests are signed with SigV4 for each try, or carry a
 * Bedrock API key as a bearer token. count_tokens goes to Bedrock's CountTokens, and falls back
 * to the local estimate where that is not available.
 */
export const bedrockProvider: Provider = {
  prepare(call, target, auth, secret) {
    const { body: request, observer } = call;
    const region = target.region ?? '';
    const modelId = checkedPlatformModelId(bedrockModelId(target.model ?? request.model, target.inferenceProfile ?? profileForRegion(region)), 'bedrock');
    observer.target('bedrock', modelId);
    const betaHeader = call.clientHeaders.get('anthropic-beta');
    const counting = call.operation === 'countTokens';
    let built: BedrockRequest;
    if (counting) built = countTokensRequest(target.baseUrl, modelId, request, betaHeader);
    else if ((target.bedrockApi ?? 'invoke') === 'invoke') built = invokeRequest(target.baseUrl, modelId, request, betaHeader);
    else built = messagesApiRequest(target.baseUrl, modelId, request, betaHeader);
    const payload = JSON.stringify(built.body);
    observer.upstreamRequest(payload, built.body);

    const headers = new Headers({
      'content-type': 'application/json',
      accept: request.stream && !counting ? 'application/vnd.amazon.eventstream' : 'application/json',
    });
    if (target.bedrockApi === 'messages' && !counting) {
      headers.set('accept', request.stream ? 'text/event-stream' : 'application/json');
      if (built.betas.length > 0) headers.set('anthropic-beta', built.betas.join(','));
    }
    // A Bedrock API key arrives as a bearer header; AWS keys sign each try.
    for (const [name, value] of Object.entries(auth.headers)) headers.set(name, value);
    const prepared: PreparedRequest = {
      url: built.url,
      init: { method: 'POST', headers, body: payload },
      async respond(upstream, control) {
        const requestId = upstream.headers.get('x-amzn-requestid');
        if (counting) return countAnswer(upstream, control.clearDeadline, observer, requestId);
        const eventStream = (upstream.headers.get('content-type') ?? '').includes('vnd.amazon.eventstream');
        return relayAnthropicAnswer(upstream, control, observer, { requestId, transform: eventStream ? invokeStreamTransform : undefined });
      },
      fail(status, bodyText, responseHeaders) {
        // Counting is advisory: a model or account without CountTokens gets the local estimate.
        if (counting) return estimatedCount(request, observer);
        return fromBedrockError(status, bodyText, responseHeaders, estimateRequestTokens(request));
      },
    };
    if (!auth.headers.authorization) prepared.signer = sigV4Signer(built.url, region, awsCredentials(target, secret));
    return prepared;
  },
};

function awsCredentials(target: Target, secret: SecretLookup): AwsCredentials {
  // upstreamAuth has checked that every secret the target names is set.
  const credentials: AwsCredentials = {
    accessKeyId: secret(target.awsAccessKeyId ?? '') ?? '',
    secretAccessKey: secret(target.awsSecretAccessKey ?? '') ?? '',
  };
  if (target.awsSessionToken) credentials.sessionToken = secret(target.awsSessionToken) ?? undefined;
  return credentials;
}

/** CountTokens answers `{"inputTokens": n}`; clients expect count_tokens' `{"input_tokens": n}`. */
async function countAnswer(upstream: Response, clearDeadline: () => void, observer: CallObserver, requestId: string | null): Promise<Response> {
  const text = await upstream.text();
  clearDeadline();
  observer.firstByte();
  let count: unknown;
  try {
    count = (JSON.parse(text) as { inputTokens?: unknown }).inputTokens;
  } catch {
    count = undefined;
  }
  if (typeof count !== 'number') throw new ProxyError('api_error', `${BEDROCK} CountTokens answered without inputTokens: ${text.slice(0, 200)}`, 502);
  const answer = { input_tokens: count };
  observer.response({ kind: 'message', body: answer, bytes: 0 });
  return Response.json(answer, { headers: { 'request-id': requestId ?? observer.id } });
}

function estimatedCount(request: Parameters<typeof estimateRequestTokens>[0], observer: CallObserver): Response {
  const answer = { input_tokens: estimateRequestTokens(request) };
  observer.response({ kind: 'message', body: answer, bytes: 0 });
  return Response.json(answer, { headers: { 'request-id': observer.id } });
}
