ALTER TABLE `traces` ADD `agent_id` text;--> statement-breakpoint
ALTER TABLE `traces` ADD `parent_agent_id` text;