// `npm run test:faults` and `npm run test:fuzz`: the long reliability runs of issue 7, kept out of `npm test`
// (which runs short forms of them). A separate config rather than a project in vitest.config.ts, because
// `vitest run` runs every project of its config and these take minutes.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        test: {
          name: 'faults',
          environment: 'node',
          include: ['test/faults/**/*.drill.ts'],
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 180_000,
          env: { KAFKAJS_NO_PARTITIONER_WARNING: '1', TRIBUTARY_RELIABILITY_REPORT: '1' },
        },
      },
      {
        test: {
          name: 'fuzz',
          environment: 'node',
          include: ['test/hostile/**/*.test.ts'],
          testTimeout: 1_800_000,
          env: {
            TRIBUTARY_FUZZ_RUNS: '100000',
            TRIBUTARY_FUZZ_WS_RUNS: '20000',
            TRIBUTARY_RELIABILITY_REPORT: '1',
          },
        },
      },
    ],
  },
});
