declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
    TEST_RATE_LIMITER: RateLimit;
    TEST_BODIES: R2Bucket;
    CLAUDE_PROXY: Service<import('../src/rpc').ClaudeProxyRpc>;
    TEST_STREAMER: Fetcher;
    TEST_TRACE_QUEUE: Queue<string>;
  }
}

declare module '*?raw' {
  const text: string;
  export default text;
}
