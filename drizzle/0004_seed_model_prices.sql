-- Public list prices per million tokens (USD), as published; edit them in Drizzle Studio.
-- A model id ending in * is a prefix; the longest matching prefix wins over shorter ones.
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-opus-4-0', 15, 75, 1.5, 18.75, '2025-05-22', 'https://www.anthropic.com/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-opus-4-20250514', 15, 75, 1.5, 18.75, '2025-05-22', 'https://www.anthropic.com/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-opus-4-1*', 15, 75, 1.5, 18.75, '2025-08-05', 'https://www.anthropic.com/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-opus-4-5*', 5, 25, 0.5, 6.25, '2025-11-24', 'https://www.anthropic.com/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-opus-4-6*', 5, 25, 0.5, 6.25, '2026-01-01', 'https://www.anthropic.com/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-opus-4-7*', 5, 25, 0.5, 6.25, '2026-01-01', 'https://www.anthropic.com/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-opus-4-8*', 5, 25, 0.5, 6.25, '2026-01-01', 'https://www.anthropic.com/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-sonnet-4-0', 3, 15, 0.3, 3.75, '2025-05-22', 'https://www.anthropic.com/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-sonnet-4-20250514', 3, 15, 0.3, 3.75, '2025-05-22', 'https://www.anthropic.com/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-sonnet-4-5*', 3, 15, 0.3, 3.75, '2025-09-29', 'https://www.anthropic.com/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-sonnet-4-6*', 3, 15, 0.3, 3.75, '2026-01-01', 'https://www.anthropic.com/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-3-7-sonnet*', 3, 15, 0.3, 3.75, '2025-02-24', 'https://www.anthropic.com/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-haiku-4-5*', 1, 5, 0.1, 1.25, '2025-10-15', 'https://www.anthropic.com/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-3-5-haiku*', 0.8, 4, 0.08, 1, '2024-11-04', 'https://www.anthropic.com/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gpt-5', 1.25, 10, 0.125, NULL, '2025-08-07', 'https://openai.com/api/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gpt-5-2025*', 1.25, 10, 0.125, NULL, '2025-08-07', 'https://openai.com/api/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gpt-5-codex*', 1.25, 10, 0.125, NULL, '2025-09-15', 'https://openai.com/api/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gpt-5-mini*', 0.25, 2, 0.025, NULL, '2025-08-07', 'https://openai.com/api/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gpt-5-nano*', 0.05, 0.4, 0.005, NULL, '2025-08-07', 'https://openai.com/api/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gpt-5.1*', 1.25, 10, 0.125, NULL, '2025-11-13', 'https://openai.com/api/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gpt-4.1*', 2, 8, 0.5, NULL, '2025-04-14', 'https://openai.com/api/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gpt-4.1-mini*', 0.4, 1.6, 0.1, NULL, '2025-04-14', 'https://openai.com/api/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gpt-4.1-nano*', 0.1, 0.4, 0.025, NULL, '2025-04-14', 'https://openai.com/api/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gpt-4o*', 2.5, 10, 1.25, NULL, '2024-08-06', 'https://openai.com/api/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gpt-4o-mini*', 0.15, 0.6, 0.075, NULL, '2024-07-18', 'https://openai.com/api/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('o3*', 2, 8, 0.5, NULL, '2025-06-10', 'https://openai.com/api/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('o3-mini*', 1.1, 4.4, 0.55, NULL, '2025-01-31', 'https://openai.com/api/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('o4-mini*', 1.1, 4.4, 0.275, NULL, '2025-04-16', 'https://openai.com/api/pricing (list price; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('deepseek-chat', 0.28, 0.42, 0.028, NULL, '2025-09-29', 'https://api-docs.deepseek.com/quick_start/pricing (cache miss input; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('deepseek-reasoner', 0.28, 0.42, 0.028, NULL, '2025-09-29', 'https://api-docs.deepseek.com/quick_start/pricing (cache miss input; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gemini-2.5-pro*', 1.25, 10, 0.31, NULL, '2025-06-17', 'https://ai.google.dev/gemini-api/docs/pricing (prompts up to 200k tokens; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gemini-2.5-flash*', 0.3, 2.5, 0.075, NULL, '2025-06-17', 'https://ai.google.dev/gemini-api/docs/pricing (prompts up to 200k tokens; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('gemini-2.5-flash-lite*', 0.1, 0.4, 0.025, NULL, '2025-07-22', 'https://ai.google.dev/gemini-api/docs/pricing (prompts up to 200k tokens; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic/claude-opus-4.5', 5, 25, 0.5, 6.25, '2025-11-24', 'https://openrouter.ai/models (check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic/claude-sonnet-4.5', 3, 15, 0.3, 3.75, '2025-09-29', 'https://openrouter.ai/models (check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic/claude-haiku-4.5', 1, 5, 0.1, 1.25, '2025-10-15', 'https://openrouter.ai/models (check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('openai/gpt-5', 1.25, 10, 0.125, NULL, '2025-08-07', 'https://openrouter.ai/models (check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('openai/gpt-5-mini', 0.25, 2, 0.025, NULL, '2025-08-07', 'https://openrouter.ai/models (check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('google/gemini-2.5-pro', 1.25, 10, 0.31, NULL, '2025-06-17', 'https://openrouter.ai/models (check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('google/gemini-2.5-flash', 0.3, 2.5, 0.075, NULL, '2025-06-17', 'https://openrouter.ai/models (check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('deepseek/deepseek-chat-v3.1', 0.2, 0.8, NULL, NULL, '2025-08-21', 'https://openrouter.ai/models (check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('x-ai/grok-code-fast-1', 0.2, 1.5, 0.02, NULL, '2025-08-26', 'https://openrouter.ai/models (check for changes)');
