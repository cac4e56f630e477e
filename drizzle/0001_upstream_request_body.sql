ALTER TABLE `traces` ADD `upstream_request_body` text;--> statement-breakpoint
ALTER TABLE `traces` ADD `upstream_request_body_truncated` integer DEFAULT false NOT NULL;