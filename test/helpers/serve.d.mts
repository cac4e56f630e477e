// Types of serve.mjs.

export function serveFetch(handle: (request: Request) => Promise<Response>): Promise<{ url: string; close(): Promise<void> }>;
