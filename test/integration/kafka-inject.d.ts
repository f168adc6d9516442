// Values test/integration/global-setup.ts hands to tests through vitest's provide/inject.
declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port list of the broker(s) under test. */
    kafkaBootstrap: string[];
    /** redis:// URL of the Redis server under test (one the suite started, or TRIBUTARY_TEST_REDIS_URL). */
    redisUrl: string;
  }
}

// A module, so the block above augments vitest's types instead of replacing them.
export {};
