import type { MessagesRequest } from '../../protocol/types';
import { joinUrl } from '../../upstream/http';
import { takesCacheTtl } from '../anthropic/models';
import { countingMaxTokens, PLATFORM_FIELDS, type PlatformPolicy, platformBetas, platformRefusals, shapeBody } from '../anthropic/platforms';
import { claudeIdOfBedrock, foundationModelId } from './models';

/** The API version InvokeModel (and the Messages API on bedrock-runtime) takes in the body. */
export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/**
 * What Bedrock takes of a Messages request: the top-level fields InvokeModel documents (any other
 * is a 400, "Extra inputs are not permitted"; `model` and `stream` go in the path), compaction
 * edits of `context_management` only, and the beta flags in the table ("invalid beta flag").
 * Edit the tables when Bedrock adds a feature.
 */
export const BEDROCK_POLICY: PlatformPolicy = {
  name: 'Amazon Bedrock',
  kept: new Set(PLATFORM_FIELDS),
  refused: platformRefusals('Amazon Bedrock'),
  contextEdits: new Set(['compact_20260112']),
  betas: {
    'interleaved-thinking-2025-05-14': 'interleaved-thinking-2025-05-14',
    'context-1m-2025-08-07': 'context-1m-2025-08-07',
    'context-management-2025-06-27': 'context-management-2025-06-27',
    'effort-2025-11-24': 'effort-2025-11-24',
    'computer-use-2024-10-22': 'computer-use-2024-10-22',
    'computer-use-2025-01-24': 'computer-use-2025-01-24',
    'computer-use-2025-11-24': 'computer-use-2025-11-24',
    'fine-grained-tool-streaming-2025-05-14': 'fine-grained-tool-streaming-2025-05-14',
    'tool-search-tool-2025-10-19': 'tool-search-tool-2025-10-19',
    // Bedrock names Anthropic's advanced tool use after its tool search
    'advanced-tool-use-2025-11-20': 'tool-search-tool-2025-10-19',
    'tool-examples-2025-10-29': 'tool-examples-2025-10-29',
    'compact-2026-01-12': 'compact-2026-01-12',
    'dangerous-tool-use-2026-09-03': 'dangerous-tool-use-2026-09-03',
    'mid-conversation-output-config-2026-07-01': 'mid-conversation-output-config-2026-07-01',
    'mid-conversation-tool-changes-2026-07-01': 'mid-conversation-tool-changes-2026-07-01',
    'thinking-binding-controls-2026-08-01': 'thinking-binding-controls-2026-08-01',
    'thinking-display-updates-2026-08-18': 'thinking-display-updates-2026-08-18',
  },
};

export interface BedrockRequest {
  url: string;
  body: Record<string, unknown>;
  /** The filtered `anthropic-beta` values (in the body for InvokeModel, as a header for the Messages API). */
  betas: string[];
}

function shaped(request: MessagesRequest, modelId: string) {
  const claudeId = claudeIdOfBedrock(modelId) ?? modelId;
  return shapeBody(request, BEDROCK_POLICY, { cacheTtl: takesCacheTtl(claudeId) }).body;
}

/**
 * InvokeModel / InvokeModelWithResponseStream: the model and whether to stream are in the path,
 * the API version and the beta flags in the body.
 */
export function invokeRequest(baseUrl: string, modelId: string, request: MessagesRequest, betaHeader: string | null): BedrockRequest {
  const betas = platformBetas(betaHeader, BEDROCK_POLICY);
  const body: Record<string, unknown> = { anthropic_version: BEDROCK_ANTHROPIC_VERSION, ...shaped(request, modelId) };
  if (betas.length > 0) body.anthropic_beta = betas;
  const action = request.stream === true ? 'invoke-with-response-stream' : 'invoke';
  return { url: joinUrl(baseUrl, `/model/${encodeURIComponent(modelId)}/${action}`), body, betas };
}

/** The Anthropic Messages API on bedrock-runtime: the model and `stream` in the body, beta flags as a header. */
export function messagesApiRequest(baseUrl: string, modelId: string, request: MessagesRequest, betaHeader: string | null): BedrockRequest {
  const body: Record<string, unknown> = { anthropic_version: BEDROCK_ANTHROPIC_VERSION, model: modelId, ...shaped(request, modelId) };
  if (request.stream === true) body.stream = true;
  return { url: joinUrl(baseUrl, '/anthropic/v1/messages'), body, betas: platformBetas(betaHeader, BEDROCK_POLICY) };
}

const encoder = new TextEncoder();

/**
 * CountTokens: the InvokeModel body the request would send, base64-encoded, counted for the
 * foundation model (CountTokens refuses inference-profile ids).
 */
export function countTokensRequest(baseUrl: string, modelId: string, request: MessagesRequest, betaHeader: string | null): BedrockRequest {
  const invoke = invokeRequest(baseUrl, modelId, { ...request, stream: false, max_tokens: countingMaxTokens(request) }, betaHeader);
  const body = { input: { invokeModel: { body: base64(encoder.encode(JSON.stringify(invoke.body))) } } };
  return { url: joinUrl(baseUrl, `/model/${encodeURIComponent(foundationModelId(modelId))}/count-tokens`), body, betas: invoke.betas };
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
