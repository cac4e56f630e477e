import type { ProviderName } from '../config/routes';
import type { Provider } from '../upstream/types';
import { anthropicProvider } from './anthropic';
import { bedrockProvider } from './bedrock';
import { openaiProvider } from './openai';
import { openaiResponsesProvider } from './openai-responses';
import { vertexProvider } from './vertex';

/** Every upstream protocol, by the name routes give it in `provider`. */
export const providers: Record<ProviderName, Provider> = {
  anthropic: anthropicProvider,
  openai: openaiProvider,
  'openai-responses': openaiResponsesProvider,
  bedrock: bedrockProvider,
  vertex: vertexProvider,
};
