CREATE TABLE `model_prices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`model` text NOT NULL,
	`input_usd_per_mtok` real NOT NULL,
	`output_usd_per_mtok` real NOT NULL,
	`cache_read_usd_per_mtok` real,
	`cache_write_usd_per_mtok` real,
	`effective_from` text NOT NULL,
	`source` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_prices_model_effective_idx` ON `model_prices` (`model`,`effective_from`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`first_trace_id` text NOT NULL,
	`user_agent` text,
	`api_key_name` text
);
--> statement-breakpoint
ALTER TABLE `traces` ADD `upstream_request_bytes` integer;--> statement-breakpoint
ALTER TABLE `traces` ADD `request_body_r2_key` text;--> statement-breakpoint
ALTER TABLE `traces` ADD `upstream_request_body_r2_key` text;--> statement-breakpoint
ALTER TABLE `traces` ADD `response_body_r2_key` text;--> statement-breakpoint
ALTER TABLE `traces` ADD `cost_micros` integer;--> statement-breakpoint
ALTER TABLE `traces` ADD `price_id` integer;--> statement-breakpoint
CREATE INDEX `traces_session_idx` ON `traces` (`session_id`,`id`);--> statement-breakpoint
CREATE VIEW `daily_usage` AS 
  WITH ranked AS (
    SELECT
      DATE(created_at / 1000, 'unixepoch') AS day,
      target_model AS model,
      error_type, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, cost_micros, duration_ms,
      ROW_NUMBER() OVER (PARTITION BY DATE(created_at / 1000, 'unixepoch'), target_model ORDER BY duration_ms IS NULL, duration_ms) AS duration_rank,
      COUNT(duration_ms) OVER (PARTITION BY DATE(created_at / 1000, 'unixepoch'), target_model) AS durations
    FROM traces
  )
  SELECT
    day,
    model,
    COUNT(*) AS requests,
    SUM(error_type IS NOT NULL AND error_type <> 'client_abort') AS errors,
    SUM(input_tokens) AS input_tokens,
    SUM(output_tokens) AS output_tokens,
    SUM(cache_read_input_tokens) AS cache_read_input_tokens,
    SUM(cache_creation_input_tokens) AS cache_creation_input_tokens,
    SUM(cost_micros) AS cost_micros,
    MAX(CASE WHEN duration_rank = MAX(1, CAST((durations * 50 + 99) / 100 AS INTEGER)) THEN duration_ms END) AS p50_duration_ms,
    MAX(CASE WHEN duration_rank = MAX(1, CAST((durations * 95 + 99) / 100 AS INTEGER)) THEN duration_ms END) AS p95_duration_ms
  FROM ranked
  GROUP BY day, model
;--> statement-breakpoint
CREATE VIEW `session_summary` AS 
  SELECT
    "traces"."session_id" AS session_id,
    MIN("traces"."created_at") AS first_at,
    MAX("traces"."created_at") AS last_at,
    COUNT(*) AS requests,
    SUM(("traces"."error_type" IS NOT NULL AND "traces"."error_type" <> 'client_abort')) AS errors,
    SUM("traces"."input_tokens") AS input_tokens,
    SUM("traces"."output_tokens") AS output_tokens,
    SUM("traces"."cache_read_input_tokens") AS cache_read_input_tokens,
    SUM("traces"."cache_creation_input_tokens") AS cache_creation_input_tokens,
    SUM("traces"."cost_micros") AS cost_micros,
    SUM("traces"."duration_ms") AS request_ms,
    GROUP_CONCAT(DISTINCT "traces"."requested_model") AS requested_models,
    GROUP_CONCAT(DISTINCT "traces"."target_model") AS target_models
  FROM "traces"
  WHERE "traces"."session_id" IS NOT NULL
  GROUP BY "traces"."session_id"
;