export const REDACTED = '[redacted]';

/** Header names whose values are credentials: auth, cookies, and anything naming a key, token or secret. */
const SECRET_HEADER = /authorization|cookie|key|token|secret|password|passwd|credential|signature|session-token/i;

/** Request headers as a plain object, with every credential-bearing value replaced. */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = SECRET_HEADER.test(name) ? REDACTED : value;
  });
  return out;
}

/** Whether a header carries a credential and must never be stored. */
export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

/**
 * Replaces every occurrence of each secret in a stored string: a client that pastes its key
 * into a prompt, or an upstream that echoes it in an error, must not put it in D1.
 * Secrets shorter than 8 characters are ignored (they would match ordinary text).
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 8 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}
