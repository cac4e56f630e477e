import type { MessagesRequest } from './types';

/** Claude Code's session inside `metadata.user_id`: a JSON object's `session_id`, or the legacy `…_session_<uuid>` suffix. */
export function sessionFromMetadata(body: MessagesRequest): string | null {
  const userId = body.metadata?.user_id;
  if (typeof userId !== 'string' || userId === '') return null;
  if (userId.startsWith('{')) {
    try {
      const parsed = JSON.parse(userId) as { session_id?: unknown };
      if (typeof parsed.session_id === 'string' && parsed.session_id) return parsed.session_id;
    } catch {
      // not JSON after all: fall through
    }
  }
  const legacy = /_session_([0-9a-f-]{8,})$/i.exec(userId);
  return legacy ? legacy[1]! : userId;
}
