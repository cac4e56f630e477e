import { AwsV4Signer } from 'aws4fetch';
import type { RequestSigner } from '../../upstream/types';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Signing keys derived per day, region and service: one HMAC chain a day instead of one a request. */
const signingKeys = new Map<string, ArrayBuffer>();

/**
 * AWS Signature Version 4 for service `bedrock`, made for each try (the signature covers the
 * moment of sending, the host, the path and a hash of the body).
 */
export function sigV4Signer(url: string, region: string, credentials: AwsCredentials): RequestSigner {
  return {
    async headers(init) {
      // Bedrock bodies are built by the provider as text: a streamed body could not be hashed here.
      if (typeof init.body === 'function') throw new Error('a streamed body cannot be signed');
      const signer = new AwsV4Signer({
        method: init.method,
        url,
        headers: init.headers,
        body: init.body,
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
        service: 'bedrock',
        region,
        cache: signingKeys,
      });
      return (await signer.sign()).headers;
    },
  };
}
