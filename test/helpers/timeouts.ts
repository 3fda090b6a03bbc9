/**
 * For a test or hook that starts a child process — the CLI through tsx, tsc, wrangler, esbuild,
 * Chromium. Their start-up is CPU-bound: seconds on an idle machine, half a minute or more on a
 * loaded 2-core CI runner. The limit is there to end a hang, never to measure speed.
 */
export const CHILD_PROCESS_TIMEOUT_MS = 180_000
