import type { ProviderName } from '../routing/config';
import { anthropicProvider } from './anthropic';
import { openaiProvider } from './openai';
import type { Provider } from './types';

export const providers: Record<ProviderName, Provider> = {
  anthropic: anthropicProvider,
  openai: openaiProvider,
};
