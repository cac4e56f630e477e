ALTER TABLE `traces` ADD `route_name` text;--> statement-breakpoint
ALTER TABLE `traces` ADD `route_reason` text;