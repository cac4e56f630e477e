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
 * Shapes of provider API keys (Anthropic, OpenAI, OpenRouter, DeepSeek, Google, Groq), of cloud
 * credentials (Google OAuth access tokens, AWS access key ids, PEM private keys, raw or inside a
 * JSON string): a key the proxy was never told about, pasted into a prompt, is still kept out of D1.
 */
const KEY_SHAPES =
  /sk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_-]{20,}|sk-(?:proj|svcacct|admin|or-v1)-[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9]{32,}|AIza[0-9A-Za-z_-]{35}|gsk_[A-Za-z0-9]{40,}|ya29\.[0-9A-Za-z_.-]{20,}|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

/**
 * Replaces every occurrence of each secret, and anything shaped like a provider key, in a
 * stored string: a client that pastes a key into a prompt, or an upstream that echoes one in an
 * error, must not put it in D1. Secrets shorter than 8 characters are ignored (they would match
 * ordinary text).
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 8 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out.replace(KEY_SHAPES, REDACTED);
}
