// Types of platforms.mjs (plain JavaScript so that Node scripts use it too).

// biome-ignore lint/suspicious/noExplicitAny: request and answer bodies of every shape, read field by field in assertions
export type Json = any;

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type Answer =
  | { text: string; tool?: undefined }
  | { tool: { name: string; input: unknown; id?: string }; text?: undefined }
  | { error: { status: number; kind?: string; message?: string; body?: unknown } }
  | { exception: { type: string; message: string }; after?: number }
  | { text: string; corrupt: number };

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export interface PlatformCall {
  path: string;
  headers: Headers;
  body: Record<string, Json> | null;
  requestId: string;
  refused: string | null;
  token?: string;
  counted?: Record<string, Json>;
}

/** `number`: which call to the platform this is, from 1. */
export type Reply = (
  body: Record<string, Json>,
  call: { modelId: string; stream: boolean; api?: string; call: PlatformCall; number: number },
) => Answer | Promise<Answer>;

export interface ScriptedPlatform {
  calls: PlatformCall[];
  handle(request: Request): Promise<Response>;
}

export function crc32Reference(bytes: Uint8Array): number;
export function verifySigV4(
  request: Request,
  body: Uint8Array,
  credentials: AwsCredentials,
  options: { service: string; region: string; now?: number },
): Promise<{ kind: string; message: string } | null>;
export function eventStreamMessage(headers: Record<string, string>, payload: Uint8Array | string): Uint8Array;
export function chunkMessage(event: { type: string; [key: string]: unknown }): Uint8Array;
export function exceptionMessage(exceptionType: string, message: string): Uint8Array;
export function makeServiceAccount(options: { tokenUri: string; project?: string; email?: string }): Promise<{
  json: string;
  publicKey: CryptoKey;
  privateKey: string;
  keyId: string;
  email: string;
}>;
export function verifyAssertion(
  assertion: string,
  options: { publicKey: CryptoKey; email: string; audience: string; now?: number },
): Promise<{ header: Record<string, unknown>; claims: Record<string, Json> }>;
export function answerEvents(answer: Answer, options: { id: string; model: string; usage?: Usage }): Record<string, Json>[];
export function answerMessage(answer: Answer, options: { id: string; model: string; usage?: Usage }): Record<string, Json>;
export function scriptedBedrock(options: {
  auth: { credentials: AwsCredentials; region: string; apiKey?: undefined } | { apiKey: string };
  reply: Reply;
  countTokens?: boolean;
  usage?: Usage;
}): ScriptedPlatform;
export function scriptedVertex(options: {
  account: { publicKey: CryptoKey; email: string };
  project: string;
  region: string;
  reply: Reply;
  tokenSeconds?: number;
  usage?: Usage;
}): ScriptedPlatform & {
  exchanges: { grantType: string | null; claims: Record<string, Json> | null; error: string | null }[];
  revoke(token: string): boolean;
};
