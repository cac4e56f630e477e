import type { Target } from '../config/routes';
import { ProxyError } from '../core/errors';
import { PLATFORM_CLAUDE_MODELS } from './anthropic/models';
import { bedrockModelId, claudeIdOfBedrock, profileForRegion } from './bedrock/models';
import { claudeIdOfVertex, vertexModelId } from './vertex/models';

/** A Claude model a cloud-platform target serves, and the platform's id for it. */
export interface PlatformModel {
  id: string;
  platformId: string;
}

/**
 * The Claude ids a Bedrock or Vertex target serves (for /v1/models): the one its `model` stands
 * for, or, when it maps ids itself, every Claude model the platforms offer. Empty for other providers.
 */
export function platformModels(target: Target): PlatformModel[] {
  if (target.provider === 'bedrock') {
    const profile = target.inferenceProfile ?? profileForRegion(target.region ?? '');
    const ids = target.model ? [claudeIdOfBedrock(bedrockModelId(target.model, profile))] : PLATFORM_CLAUDE_MODELS;
    return ids.filter((id) => id !== null).map((id) => ({ id, platformId: bedrockModelId(target.model ?? id, profile) }));
  }
  if (target.provider === 'vertex') {
    const ids = target.model ? [claudeIdOfVertex(vertexModelId(target.model))] : PLATFORM_CLAUDE_MODELS;
    return ids.filter((id) => id !== null).map((id) => ({ id, platformId: vertexModelId(target.model ?? id) }));
  }
  return [];
}

/** Model ids as they go into a platform's URL path: Bedrock's may be ARNs (encoded there); Vertex's never hold `/` or `:`. */
const PLATFORM_MODEL_ID = { bedrock: /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/, vertex: /^[A-Za-z0-9][A-Za-z0-9._@-]*$/ } as const;

/**
 * The platform id, refused (400) when it could be more than a model id in the URL: a client's
 * model name reaches the path when the route maps ids itself, and `../` there would reach other
 * endpoints with the owner's credentials.
 */
export function checkedPlatformModelId(id: string, platform: keyof typeof PLATFORM_MODEL_ID): string {
  if (!PLATFORM_MODEL_ID[platform].test(id) || id.split('/').includes('..')) {
    throw new ProxyError(
      'invalid_request_error',
      `model: ${JSON.stringify(id.slice(0, 200))} is not a model id ${platform === 'bedrock' ? 'Bedrock' : 'Vertex AI'} serves`,
    );
  }
  return id;
}
