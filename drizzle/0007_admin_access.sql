CREATE TABLE `auth_failures` (
	`client_ip` text NOT NULL,
	`window_start` integer NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`client_ip`, `window_start`)
);
--> statement-breakpoint
CREATE TABLE `ui_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`client_ip` text,
	`user_agent` text
);
