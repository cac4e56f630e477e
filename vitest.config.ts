import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const migrations = await readD1Migrations('./drizzle');

export default defineConfig({
  test: {
    projects: [
      {
        // Unit and integration tests inside workerd, against a real local D1 with the migrations applied.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.jsonc' },
            miniflare: {
              workers: [
                {
                  name: 'test-streamer',
                  modules: true,
                  scriptPath: './test/helpers/streamer-worker.mjs',
                  compatibilityDate: '2026-10-01',
                },
              ],
              // No `request` log line per request in test output; the tests of that line turn it on.
              bindings: { TEST_MIGRATIONS: migrations, LOG_REQUESTS: 'off' },
              // A real Workers Rate Limiting binding, passed as RATE_LIMITER by the tests that use it.
              ratelimits: { TEST_RATE_LIMITER: { namespace_id: '1001', simple: { limit: 3, period: 60 } } },
              // An R2 bucket, passed as BODIES_BUCKET by the tests of large bodies.
              r2Buckets: ['TEST_BODIES'],
              // A real queue, passed as TRACE_QUEUE by the queue tests; this worker consumes it.
              queueProducers: { TEST_TRACE_QUEUE: { queueName: 'claude-proxy-traces-test' } },
              queueConsumers: { 'claude-proxy-traces-test': { maxBatchSize: 100, maxBatchTimeout: 0.2, maxRetries: 2 } },
              // A service binding to this worker's RPC entrypoint, as another Worker would declare it.
              serviceBindings: {
                CLAUDE_PROXY: { name: 'claude-proxy', entrypoint: 'ClaudeProxyRpc' },
                // A scripted upstream in a Worker of its own: its bodies are the runtime's own streams, as fetch bodies are.
                TEST_STREAMER: 'test-streamer',
              },
            },
          }),
        ],
        test: {
          name: 'workers',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          setupFiles: ['./test/setup/apply-migrations.ts'],
        },
      },
      {
        // End-to-end tests in Node: the real worker under wrangler, real clients, loopback upstreams.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
