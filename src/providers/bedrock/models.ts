import type { InferenceProfile } from '../../config/routes';
import { resolveAlias, splitSnapshot } from '../anthropic/models';

/**
 * Claude ids → Bedrock model ids. The rule: a dated snapshot `claude-X-YYYYMMDD` is
 * `anthropic.claude-X-YYYYMMDD-v1:0`, an undated id `claude-X` is `anthropic.claude-X`; aliases
 * (`claude-sonnet-4-5`) are resolved to their snapshot first. This table holds the exceptions.
 * A cross-region inference profile prefixes the id (`us.anthropic.…`): the route's
 * `inferenceProfile`, else the geography of its region.
 */
const BEDROCK_EXCEPTIONS: Readonly<Record<string, string>> = {
  'claude-3-5-sonnet-20241022': 'anthropic.claude-3-5-sonnet-20241022-v2:0',
  'claude-opus-4-6': 'anthropic.claude-opus-4-6-v1',
};

/** Whether an id is already Bedrock's: a model or profile id (`…anthropic.claude-…`) or an ARN. */
export function isBedrockId(id: string): boolean {
  return /^(?:[a-z-]+\.)?anthropic\./i.test(id) || id.startsWith('arn:');
}

/** The inference profile a region's requests go through when the route names none. */
export function profileForRegion(region: string): InferenceProfile {
  if (region.startsWith('us-gov-')) return 'us-gov';
  if (region.startsWith('us-')) return 'us';
  if (region.startsWith('eu-')) return 'eu';
  if (region.startsWith('ap-')) return 'apac';
  return 'none';
}

/** The Bedrock model id for a requested (or configured) model; Bedrock ids and ARNs pass unchanged. */
export function bedrockModelId(model: string, profile: InferenceProfile): string {
  if (isBedrockId(model)) return model;
  const id = resolveAlias(model);
  const base = BEDROCK_EXCEPTIONS[id] ?? (splitSnapshot(id).date ? `anthropic.${id}-v1:0` : `anthropic.${id}`);
  return profile === 'none' ? base : `${profile}.${base}`;
}

/** The foundation model under an inference profile id (Bedrock's CountTokens takes only those). */
export function foundationModelId(id: string): string {
  return id.replace(/^[a-z-]+\.(?=anthropic\.)/i, '');
}

/** The Claude id a Bedrock id stands for (`us.anthropic.claude-opus-4-6-v1` → `claude-opus-4-6`); null for ARNs and other models. */
export function claudeIdOfBedrock(id: string): string | null {
  const base = foundationModelId(id);
  for (const [claude, bedrock] of Object.entries(BEDROCK_EXCEPTIONS)) if (bedrock === base) return claude;
  const match = /^anthropic\.(claude-.+?)(?:-v\d+(?::\d+)?)?$/.exec(base);
  return match ? match[1]! : null;
}
