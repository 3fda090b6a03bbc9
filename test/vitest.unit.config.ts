import { defineConfig } from 'vitest/config'
import base from './vitest.config.ts'

// `npm run test:unit`: the in-process tests only — no Chromium, Redis, workerd or wrangler, no
// compiler runs — for a feedback loop of seconds. Spread rather than mergeConfig, which would
// append to the base `include` instead of replacing it.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/unit/**/*.test.ts'],
    // Importing lib/ once per worker instead of once per file more than halves the run. Safe
    // while unit tests leave no global state behind (the browser test restores its one spy);
    // `npm test` still runs every file isolated.
    isolate: false,
  },
})
