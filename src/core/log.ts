/**
 * The worker's only way to write a log line: one JSON object per line, always with `trace_id`
 * (null when no request is behind it, as in the cron), so Workers Logs can filter on the id that
 * clients get in the `x-trace-id` header.
 */
export type LogLevel = 'info' | 'warn' | 'error';

export function log(level: LogLevel, event: string, traceId: string | null, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, event, trace_id: traceId, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
