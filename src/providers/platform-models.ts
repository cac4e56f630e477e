import type { Target } from '../config/routes';
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
