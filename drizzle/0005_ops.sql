CREATE TABLE `alert_state` (
	`key` text PRIMARY KEY NOT NULL,
	`firing` integer NOT NULL,
	`since` integer NOT NULL,
	`notified_at` integer,
	`announced` integer DEFAULT false NOT NULL,
	`value` real,
	`threshold` real,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `key_spend` (
	`api_key_name` text NOT NULL,
	`period` text NOT NULL,
	`cost_micros` integer DEFAULT 0 NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`period`, `api_key_name`)
);
--> statement-breakpoint
-- Spend already recorded in traces, per key and UTC day, then per key and UTC month.
INSERT INTO `key_spend` (`api_key_name`, `period`, `cost_micros`, `requests`, `updated_at`)
SELECT `api_key_name`, strftime('%Y-%m-%d', `created_at` / 1000, 'unixepoch'), COALESCE(SUM(`cost_micros`), 0), COUNT(*), MAX(`created_at`)
FROM `traces` WHERE `api_key_name` IS NOT NULL GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO `key_spend` (`api_key_name`, `period`, `cost_micros`, `requests`, `updated_at`)
SELECT `api_key_name`, strftime('%Y-%m', `created_at` / 1000, 'unixepoch'), COALESCE(SUM(`cost_micros`), 0), COUNT(*), MAX(`created_at`)
FROM `traces` WHERE `api_key_name` IS NOT NULL GROUP BY 1, 2;
