import { errorText, ProxyError } from '../../core/errors';
import { sendOnce } from '../../upstream/dispatch';

/** What the proxy reads of a service-account key (the JSON `gcloud iam service-accounts keys create` writes). */
export interface ServiceAccountKey {
  clientEmail: string;
  /** PKCS #8 PEM. */
  privateKey: string;
  privateKeyId: string | null;
  tokenUri: string;
}

const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Google's longest assertion lifetime. */
const ASSERTION_SECONDS = 3600;
/** A token is renewed this long before it expires (at most a tenth of its life). */
const RENEW_BEFORE_MS = 5 * 60_000;
const TOKEN_TIMEOUT_MS = 15_000;

const parsedKeys = new Map<string, ServiceAccountKey>();

/**
 * Reads the service-account JSON held in the secret `name`. Errors name the secret and the
 * missing field, never any of its contents.
 */
export function parseServiceAccount(text: string, name: string): ServiceAccountKey {
  const cached = parsedKeys.get(text);
  if (cached) return cached;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ProxyError('api_error', `the secret ${name} is not a service-account key: it is not JSON (store the key file's whole text)`);
  }
  const field = (key: string) => (typeof json?.[key] === 'string' && json[key] !== '' ? (json[key] as string) : null);
  const clientEmail = field('client_email');
  const privateKey = field('private_key');
  if (!clientEmail || !privateKey?.includes('PRIVATE KEY')) {
    throw new ProxyError(
      'api_error',
      `the secret ${name} is not a service-account key: it needs client_email and private_key (create a JSON key for the service account)`,
    );
  }
  const key = { clientEmail, privateKey, privateKeyId: field('private_key_id'), tokenUri: field('token_uri') ?? DEFAULT_TOKEN_URI };
  parsedKeys.set(text, key);
  return key;
}

function base64url(bytes: Uint8Array | string): string {
  const binary = typeof bytes === 'string' ? bytes : String.fromCharCode(...bytes);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = Uint8Array.from(atob(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')), (c) => c.charCodeAt(0));
  return crypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
}

/** The signed JWT (RS256) a service account presents at its token endpoint (RFC 7523). */
export async function signedAssertion(key: ServiceAccountKey, signingKey: CryptoKey, nowSeconds: number): Promise<string> {
  const header = { alg: 'RS256', typ: 'JWT', ...(key.privateKeyId ? { kid: key.privateKeyId } : {}) };
  const claims = { iss: key.clientEmail, scope: SCOPE, aud: key.tokenUri, iat: nowSeconds, exp: nowSeconds + ASSERTION_SECONDS };
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', signingKey, new TextEncoder().encode(unsigned));
  return `${unsigned}.${base64url(new Uint8Array(signature))}`;
}

interface Token {
  value: string;
  renewAt: number;
}

interface Account {
  signingKey: Promise<CryptoKey> | null;
  token: Token | null;
  /** The exchange under way: every request that needs a token meanwhile waits for this one. */
  exchange: Promise<Token> | null;
}

/** Access tokens, per service account, for the isolate's life. */
const accounts = new Map<string, Account>();

function accountOf(key: ServiceAccountKey): Account {
  const id = `${key.clientEmail} ${key.privateKeyId ?? key.privateKey.length} ${key.tokenUri}`;
  let account = accounts.get(id);
  if (!account) {
    account = { signingKey: null, token: null, exchange: null };
    accounts.set(id, account);
  }
  return account;
}

/**
 * A current access token for the service account: the cached one until shortly before it
 * expires, else one exchange shared by every request that asks meanwhile.
 */
export async function accessToken(key: ServiceAccountKey, secretName: string): Promise<string> {
  const account = accountOf(key);
  if (account.token && Date.now() < account.token.renewAt) return account.token.value;
  account.exchange ??= exchange(key, account, secretName).finally(() => {
    account.exchange = null;
  });
  return (await account.exchange).value;
}

/** The upstream refused this token: forget it, unless another request has already replaced it. */
export function refuseToken(key: ServiceAccountKey, refused: string): void {
  const account = accountOf(key);
  if (account.token?.value === refused) account.token = null;
}

async function exchange(key: ServiceAccountKey, account: Account, secretName: string): Promise<Token> {
  account.signingKey ??= importPrivateKey(key.privateKey).catch((err: unknown) => {
    account.signingKey = null;
    throw new ProxyError('api_error', `the private key in the secret ${secretName} could not be read: ${errorText(err)}`);
  });
  const assertion = await signedAssertion(key, await account.signingKey, Math.floor(Date.now() / 1000));
  const host = new URL(key.tokenUri).host;
  const outcome = await sendOnce(
    key.tokenUri,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
    },
    TOKEN_TIMEOUT_MS,
    undefined,
  );
  if (outcome.kind !== 'response') {
    const message = 'message' in outcome ? outcome.message : 'the exchange was abandoned';
    throw new ProxyError('api_error', `Vertex AI: no access token for the service account in ${secretName}: ${message}`, 502);
  }
  const started = Date.now();
  const text = await outcome.response.text().finally(outcome.clearDeadline);
  let body: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // described below
  }
  if (!outcome.response.ok || typeof body.access_token !== 'string') {
    const reason = [body.error, body.error_description].filter((part) => typeof part === 'string').join(': ') || `HTTP ${outcome.response.status}`;
    // A refused key is the configuration's fault (500, not retried); a failing endpoint may recover (502, retried).
    const status = outcome.response.status === 429 || outcome.response.status >= 500 ? 502 : 500;
    throw new ProxyError('api_error', `Vertex AI: ${host} refused the service account in ${secretName}: ${reason}`, status);
  }
  const lifetimeMs = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : ASSERTION_SECONDS) * 1000;
  const token = { value: body.access_token, renewAt: started + lifetimeMs - Math.min(RENEW_BEFORE_MS, lifetimeMs / 10) };
  account.token = token;
  return token;
}
