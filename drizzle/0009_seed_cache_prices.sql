-- Cache-read prices for the OpenAI (Responses API included), Gemini and OpenRouter targets, per million tokens (USD),
-- as published; a later effective_from supersedes an older row of the same model. OR IGNORE: a row the owner
-- already added for the same model and day stays as it is.
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gpt-5.1-codex*', 1.25, 10, 0.125, NULL, '2025-11-13', 'https://openai.com/api/pricing (list price; cached input; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gpt-5.1-codex-mini*', 0.25, 2, 0.025, NULL, '2025-11-13', 'https://openai.com/api/pricing (list price; cached input; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gpt-5.2*', 1.75, 14, 0.175, NULL, '2025-12-11', 'https://openai.com/api/pricing (list price; cached input; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('codex-mini*', 1.5, 6, 0.375, NULL, '2025-05-16', 'https://openai.com/api/pricing (list price; cached input; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gemini-3-pro*', 2, 12, 0.2, NULL, '2025-11-18', 'https://ai.google.dev/gemini-api/docs/pricing (prompts up to 200k tokens; context caching; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gemini-3-flash*', 0.5, 3, 0.05, NULL, '2025-12-17', 'https://ai.google.dev/gemini-api/docs/pricing (prompts up to 200k tokens; context caching; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gemini-2.5-pro*', 1.25, 10, 0.125, NULL, '2025-11-01', 'https://ai.google.dev/gemini-api/docs/pricing (prompts up to 200k tokens; context caching; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gemini-2.5-flash*', 0.3, 2.5, 0.03, NULL, '2025-11-01', 'https://ai.google.dev/gemini-api/docs/pricing (prompts up to 200k tokens; context caching; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gemini-2.5-flash-lite*', 0.1, 0.4, 0.01, NULL, '2025-11-01', 'https://ai.google.dev/gemini-api/docs/pricing (prompts up to 200k tokens; context caching; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic/claude-opus-4.6*', 5, 25, 0.5, 6.25, '2026-01-01', 'https://openrouter.ai/models (cache read; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic/claude-sonnet-4.6*', 3, 15, 0.3, 3.75, '2026-01-01', 'https://openrouter.ai/models (cache read; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic/claude-haiku-4.5*', 1, 5, 0.1, 1.25, '2025-10-15', 'https://openrouter.ai/models (cache read; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('openai/gpt-5.1*', 1.25, 10, 0.125, NULL, '2025-11-13', 'https://openrouter.ai/models (cache read; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('openai/gpt-5.1-codex*', 1.25, 10, 0.125, NULL, '2025-11-13', 'https://openrouter.ai/models (cache read; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('google/gemini-3-pro*', 2, 12, 0.2, NULL, '2025-11-18', 'https://openrouter.ai/models (cache read; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('google/gemini-2.5-pro*', 1.25, 10, 0.125, NULL, '2025-11-01', 'https://openrouter.ai/models (cache read; check for changes)');
--> statement-breakpoint
INSERT OR IGNORE INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('google/gemini-2.5-flash*', 0.3, 2.5, 0.03, NULL, '2025-11-01', 'https://openrouter.ai/models (cache read; check for changes)');
