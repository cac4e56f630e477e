import { fromHex, sha256 } from '../core/crypto';

/** One entry of PROXY_API_KEYS, held as a SHA-256 digest. */
export interface ProxyKey {
  /** The entry's name (`name:key`), else its position (`key#2`): what traces record. */
  name: string;
  digest: Uint8Array;
}

/** PROXY_API_KEYS, parsed once: who may use the proxy, and which keys must never be stored. */
export interface ProxyKeys {
  /** Whether any key is configured: then every /v1 request needs one. */
  readonly configured: boolean;
  /** Keys configured in plain (not as digests): scrubbed from everything stored. */
  readonly plain: readonly string[];
  /** The entries with their digests (computed once, on first use). */
  entries(): Promise<readonly ProxyKey[]>;
}

const DIGEST_ENTRY = /^(?:([^:]+):)?sha256:([0-9a-f]{64})$/i;

/**
 * PROXY_API_KEYS: comma-separated entries, each `key`, `name:key`, `sha256:<hex>` or
 * `name:sha256:<hex>` (the digest of the key, so the key itself need not be stored).
 */
export function parseProxyKeys(raw: string | undefined): ProxyKeys {
  const parsed = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const digest = DIGEST_ENTRY.exec(entry);
      if (digest) return { name: digest[1] ?? `key#${i + 1}`, hex: digest[2]!.toLowerCase(), plain: null };
      const colon = entry.indexOf(':');
      const [name, key] = colon > 0 && colon < entry.length - 1 ? [entry.slice(0, colon), entry.slice(colon + 1)] : [`key#${i + 1}`, entry];
      return { name, hex: null, plain: key };
    });
  let entries: Promise<ProxyKey[]> | null = null;
  return {
    configured: parsed.length > 0,
    plain: parsed.flatMap((entry) => (entry.plain ? [entry.plain] : [])),
    entries() {
      entries ??= Promise.all(parsed.map(async (entry) => ({ name: entry.name, digest: entry.hex ? fromHex(entry.hex) : await sha256(entry.plain!) })));
      return entries;
    },
  };
}
