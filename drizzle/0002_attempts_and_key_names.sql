ALTER TABLE `traces` ADD `api_key_name` text;--> statement-breakpoint
ALTER TABLE `traces` ADD `attempts` text;