CREATE TABLE `spend_receipts` (
	`trace_id` text PRIMARY KEY NOT NULL
);
