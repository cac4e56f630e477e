-- Claude under the cloud platforms' own model ids, so that traces of bedrock and vertex routes get a cost.
-- Bedrock: `anthropic.<id>` (in-region), and the cross-region inference profiles `global.`, `us.`, `eu.`, `apac.`, `jp.`, `au.`.
-- From Claude 4.5 on, Bedrock charges global profiles the list price and regional and geographic ones 10% more.
-- Vertex ids (`claude-sonnet-4-5@20250929`) already match the Anthropic prefixes of 0004 except Claude 4's; Vertex's
-- regional endpoints also cost 10% more than `global` from Claude 4.5 on: edit these rows in Drizzle Studio if you use one.
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('global.anthropic.claude-opus-4-8*', 5, 25, 0.5, 6.25, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic.claude-opus-4-8*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('us.anthropic.claude-opus-4-8*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('eu.anthropic.claude-opus-4-8*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('apac.anthropic.claude-opus-4-8*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('jp.anthropic.claude-opus-4-8*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('au.anthropic.claude-opus-4-8*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('global.anthropic.claude-opus-4-7*', 5, 25, 0.5, 6.25, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic.claude-opus-4-7*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('us.anthropic.claude-opus-4-7*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('eu.anthropic.claude-opus-4-7*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('apac.anthropic.claude-opus-4-7*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('jp.anthropic.claude-opus-4-7*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('au.anthropic.claude-opus-4-7*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('global.anthropic.claude-opus-4-6*', 5, 25, 0.5, 6.25, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic.claude-opus-4-6*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('us.anthropic.claude-opus-4-6*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('eu.anthropic.claude-opus-4-6*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('apac.anthropic.claude-opus-4-6*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('jp.anthropic.claude-opus-4-6*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('au.anthropic.claude-opus-4-6*', 5.5, 27.5, 0.55, 6.875, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('global.anthropic.claude-opus-4-5*', 5, 25, 0.5, 6.25, '2025-11-24', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic.claude-opus-4-5*', 5.5, 27.5, 0.55, 6.875, '2025-11-24', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('us.anthropic.claude-opus-4-5*', 5.5, 27.5, 0.55, 6.875, '2025-11-24', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('eu.anthropic.claude-opus-4-5*', 5.5, 27.5, 0.55, 6.875, '2025-11-24', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('apac.anthropic.claude-opus-4-5*', 5.5, 27.5, 0.55, 6.875, '2025-11-24', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('jp.anthropic.claude-opus-4-5*', 5.5, 27.5, 0.55, 6.875, '2025-11-24', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('au.anthropic.claude-opus-4-5*', 5.5, 27.5, 0.55, 6.875, '2025-11-24', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic.claude-opus-4-1*', 15, 75, 1.5, 18.75, '2025-08-05', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('us.anthropic.claude-opus-4-1*', 15, 75, 1.5, 18.75, '2025-08-05', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('eu.anthropic.claude-opus-4-1*', 15, 75, 1.5, 18.75, '2025-08-05', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('apac.anthropic.claude-opus-4-1*', 15, 75, 1.5, 18.75, '2025-08-05', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('jp.anthropic.claude-opus-4-1*', 15, 75, 1.5, 18.75, '2025-08-05', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('au.anthropic.claude-opus-4-1*', 15, 75, 1.5, 18.75, '2025-08-05', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic.claude-opus-4-2025*', 15, 75, 1.5, 18.75, '2025-05-22', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('us.anthropic.claude-opus-4-2025*', 15, 75, 1.5, 18.75, '2025-05-22', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('eu.anthropic.claude-opus-4-2025*', 15, 75, 1.5, 18.75, '2025-05-22', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('apac.anthropic.claude-opus-4-2025*', 15, 75, 1.5, 18.75, '2025-05-22', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('jp.anthropic.claude-opus-4-2025*', 15, 75, 1.5, 18.75, '2025-05-22', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('au.anthropic.claude-opus-4-2025*', 15, 75, 1.5, 18.75, '2025-05-22', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('global.anthropic.claude-sonnet-4-6*', 3, 15, 0.3, 3.75, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic.claude-sonnet-4-6*', 3.3, 16.5, 0.33, 4.125, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('us.anthropic.claude-sonnet-4-6*', 3.3, 16.5, 0.33, 4.125, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('eu.anthropic.claude-sonnet-4-6*', 3.3, 16.5, 0.33, 4.125, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('apac.anthropic.claude-sonnet-4-6*', 3.3, 16.5, 0.33, 4.125, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('jp.anthropic.claude-sonnet-4-6*', 3.3, 16.5, 0.33, 4.125, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('au.anthropic.claude-sonnet-4-6*', 3.3, 16.5, 0.33, 4.125, '2026-01-01', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('global.anthropic.claude-sonnet-4-5*', 3, 15, 0.3, 3.75, '2025-09-29', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic.claude-sonnet-4-5*', 3.3, 16.5, 0.33, 4.125, '2025-09-29', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('us.anthropic.claude-sonnet-4-5*', 3.3, 16.5, 0.33, 4.125, '2025-09-29', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('eu.anthropic.claude-sonnet-4-5*', 3.3, 16.5, 0.33, 4.125, '2025-09-29', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('apac.anthropic.claude-sonnet-4-5*', 3.3, 16.5, 0.33, 4.125, '2025-09-29', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('jp.anthropic.claude-sonnet-4-5*', 3.3, 16.5, 0.33, 4.125, '2025-09-29', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('au.anthropic.claude-sonnet-4-5*', 3.3, 16.5, 0.33, 4.125, '2025-09-29', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic.claude-sonnet-4-2025*', 3, 15, 0.3, 3.75, '2025-05-22', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('us.anthropic.claude-sonnet-4-2025*', 3, 15, 0.3, 3.75, '2025-05-22', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('eu.anthropic.claude-sonnet-4-2025*', 3, 15, 0.3, 3.75, '2025-05-22', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('apac.anthropic.claude-sonnet-4-2025*', 3, 15, 0.3, 3.75, '2025-05-22', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('jp.anthropic.claude-sonnet-4-2025*', 3, 15, 0.3, 3.75, '2025-05-22', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('au.anthropic.claude-sonnet-4-2025*', 3, 15, 0.3, 3.75, '2025-05-22', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic.claude-3-7-sonnet*', 3, 15, 0.3, 3.75, '2025-02-24', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('us.anthropic.claude-3-7-sonnet*', 3, 15, 0.3, 3.75, '2025-02-24', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('eu.anthropic.claude-3-7-sonnet*', 3, 15, 0.3, 3.75, '2025-02-24', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('apac.anthropic.claude-3-7-sonnet*', 3, 15, 0.3, 3.75, '2025-02-24', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('jp.anthropic.claude-3-7-sonnet*', 3, 15, 0.3, 3.75, '2025-02-24', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('au.anthropic.claude-3-7-sonnet*', 3, 15, 0.3, 3.75, '2025-02-24', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('global.anthropic.claude-haiku-4-5*', 1, 5, 0.1, 1.25, '2025-10-15', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic.claude-haiku-4-5*', 1.1, 5.5, 0.11, 1.375, '2025-10-15', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('us.anthropic.claude-haiku-4-5*', 1.1, 5.5, 0.11, 1.375, '2025-10-15', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('eu.anthropic.claude-haiku-4-5*', 1.1, 5.5, 0.11, 1.375, '2025-10-15', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('apac.anthropic.claude-haiku-4-5*', 1.1, 5.5, 0.11, 1.375, '2025-10-15', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('jp.anthropic.claude-haiku-4-5*', 1.1, 5.5, 0.11, 1.375, '2025-10-15', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('au.anthropic.claude-haiku-4-5*', 1.1, 5.5, 0.11, 1.375, '2025-10-15', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('anthropic.claude-3-5-haiku*', 0.8, 4, 0.08, 1, '2024-11-04', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('us.anthropic.claude-3-5-haiku*', 0.8, 4, 0.08, 1, '2024-11-04', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('eu.anthropic.claude-3-5-haiku*', 0.8, 4, 0.08, 1, '2024-11-04', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('apac.anthropic.claude-3-5-haiku*', 0.8, 4, 0.08, 1, '2024-11-04', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('jp.anthropic.claude-3-5-haiku*', 0.8, 4, 0.08, 1, '2024-11-04', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('au.anthropic.claude-3-5-haiku*', 0.8, 4, 0.08, 1, '2024-11-04', 'https://aws.amazon.com/bedrock/pricing/ (list price; regional and geographic +10% from Claude 4.5; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-opus-4@*', 15, 75, 1.5, 18.75, '2025-05-22', 'https://cloud.google.com/vertex-ai/generative-ai/pricing (list price, global endpoint; check for changes)');
--> statement-breakpoint
INSERT INTO `model_prices` (`model`, `input_usd_per_mtok`, `output_usd_per_mtok`, `cache_read_usd_per_mtok`, `cache_write_usd_per_mtok`, `effective_from`, `source`) VALUES ('claude-sonnet-4@*', 3, 15, 0.3, 3.75, '2025-05-22', 'https://cloud.google.com/vertex-ai/generative-ai/pricing (list price, global endpoint; check for changes)');
