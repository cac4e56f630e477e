import type { Target } from '../../config/routes';
import type { MessagesRequest } from '../../protocol/types';
import { joinUrl } from '../../upstream/http';
import { PLATFORM_FIELDS, type PlatformPolicy, platformBetas, platformRefusals, shapeBody } from '../anthropic/platforms';

/** The API version Vertex AI takes in the body. */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/**
 * What Vertex AI takes of a Messages request: the documented Messages API fields but `model`
 * (it is in the path), so not Anthropic API features such as fast mode (`speed`) or
 * `inference_geo` (on Vertex the region decides); beta flags outside the table are dropped
 * ("invalid beta flag"). Edit the tables when Vertex adds a feature.
 */
export const VERTEX_POLICY: PlatformPolicy = {
  name: 'Vertex AI',
  kept: new Set([...PLATFORM_FIELDS, 'stream']),
  refused: platformRefusals('Vertex AI'),
  contextEdits: null,
  betas: {
    'interleaved-thinking-2025-05-14': 'interleaved-thinking-2025-05-14',
    'context-1m-2025-08-07': 'context-1m-2025-08-07',
    'context-management-2025-06-27': 'context-management-2025-06-27',
    'computer-use-2024-10-22': 'computer-use-2024-10-22',
    'computer-use-2025-01-24': 'computer-use-2025-01-24',
    'computer-use-2025-11-24': 'computer-use-2025-11-24',
    'tool-search-tool-2025-10-19': 'tool-search-tool-2025-10-19',
    // Vertex names Anthropic's advanced tool use after its tool search
    'advanced-tool-use-2025-11-20': 'tool-search-tool-2025-10-19',
    'web-search-2025-03-05': 'web-search-2025-03-05',
    'compact-2026-01-12': 'compact-2026-01-12',
    'compact-2026-09-04': 'compact-2026-09-04',
    'dangerous-tool-use-2026-09-03': 'dangerous-tool-use-2026-09-03',
    'per-turn-control-2026-07-01': 'per-turn-control-2026-07-01',
    'thinking-binding-controls-2026-08-01': 'thinking-binding-controls-2026-08-01',
    'thinking-display-updates-2026-08-18': 'thinking-display-updates-2026-08-18',
  },
};

export interface VertexRequest {
  url: string;
  body: Record<string, unknown>;
  betas: string[];
}

function modelsPath(target: Target): string {
  return `/v1/projects/${target.project}/locations/${target.region}/publishers/anthropic/models`;
}

/** rawPredict (a whole answer) or streamRawPredict (Anthropic SSE), the model in the path. */
export function predictRequest(target: Target, modelId: string, request: MessagesRequest, betaHeader: string | null): VertexRequest {
  const { body } = shapeBody(request, VERTEX_POLICY, { cacheTtl: true });
  const action = request.stream === true ? 'streamRawPredict' : 'rawPredict';
  return {
    url: joinUrl(target.baseUrl, `${modelsPath(target)}/${modelId}:${action}`),
    body: { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...body },
    betas: platformBetas(betaHeader, VERTEX_POLICY),
  };
}

/** Vertex's count-tokens endpoint: the model in the body. */
export function countTokensRequest(target: Target, modelId: string, request: MessagesRequest, betaHeader: string | null): VertexRequest {
  const { body } = shapeBody(request, VERTEX_POLICY, { cacheTtl: true });
  return {
    url: joinUrl(target.baseUrl, `${modelsPath(target)}/count-tokens:rawPredict`),
    body: { anthropic_version: VERTEX_ANTHROPIC_VERSION, model: modelId, ...body },
    betas: platformBetas(betaHeader, VERTEX_POLICY),
  };
}
