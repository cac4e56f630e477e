CREATE TABLE `body_pieces` (
	`hash` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`json` text,
	`gzip` blob,
	`r2_key` text,
	`chars` integer NOT NULL,
	`preview` text,
	`created_at` integer NOT NULL,
	`last_day` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `traces` ADD `body_format` integer;--> statement-breakpoint
ALTER TABLE `traces` ADD `request_frame` text REFERENCES body_pieces(hash);--> statement-breakpoint
ALTER TABLE `traces` ADD `new_messages` text;--> statement-breakpoint
ALTER TABLE `traces` ADD `request_patch` text;--> statement-breakpoint
ALTER TABLE `traces` ADD `history_trace_id` text;--> statement-breakpoint
ALTER TABLE `traces` ADD `history_length` integer;--> statement-breakpoint
ALTER TABLE `traces` ADD `conversation_hash` text;--> statement-breakpoint
ALTER TABLE `traces` ADD `conversation_length` integer;--> statement-breakpoint
ALTER TABLE `traces` ADD `upstream_frame` text REFERENCES body_pieces(hash);--> statement-breakpoint
ALTER TABLE `traces` ADD `upstream_new_messages` text;--> statement-breakpoint
ALTER TABLE `traces` ADD `upstream_patch` text;--> statement-breakpoint
ALTER TABLE `traces` ADD `upstream_history_length` integer;--> statement-breakpoint
ALTER TABLE `traces` ADD `upstream_conversation_hash` text;--> statement-breakpoint
ALTER TABLE `traces` ADD `upstream_conversation_length` integer;--> statement-breakpoint
CREATE INDEX `traces_history_idx` ON `traces` (`history_trace_id`) WHERE "traces"."history_trace_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `traces_request_frame_idx` ON `traces` (`request_frame`) WHERE "traces"."request_frame" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `traces_upstream_frame_idx` ON `traces` (`upstream_frame`) WHERE "traces"."upstream_frame" IS NOT NULL;--> statement-breakpoint
CREATE VIEW `session_turns` AS SELECT "session_id" AS session_id, "api_key_name" AS api_key_name, ROW_NUMBER() OVER (PARTITION BY "session_id", "api_key_name" ORDER BY "id") AS turn, "id" AS trace_id, "created_at" AS created_at, "agent_id" AS agent_id, "requested_model" AS requested_model, "status" AS status, "history_trace_id" AS history_trace_id, "history_length" AS history_length, "new_messages" AS new_messages, "response_body" AS response_body FROM "traces" WHERE "session_id" IS NOT NULL;