import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { alibabaSessionBearer } from '../../../lib/session/login-client.ts'
import { createStsClient } from '../../../lib/sts/client.ts'
import { createNodeDeps } from '../platform/deps.ts'
import { nodeSourceChain } from '../platform/source-chain.ts'
import { UsageError } from './usage-error.ts'

/** Values of a repeatable `--name value` option. */
export const optionValues = (args: readonly string[], name: string): string[] =>
  args.flatMap((a, i) => (a === name && args[i + 1] !== undefined ? [args[i + 1]!] : []))

export const optionValue = (args: readonly string[], name: string): string | undefined =>
  optionValues(args, name).at(-1)

/**
 * How a client command proves who it is to credvend: `--alibaba-login` (a signed GetCallerIdentity
 * from this host's own identity), a workload token file (re-read on every call, because projected
 * service-account tokens rotate), a token in an environment variable, or an API key in one
 * (`CREDVEND_API_KEY` by default). Never a value on the command line, where `ps` shows it.
 */
export const bearerFrom = (
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): (() => Promise<string>) => {
  if (args.includes('--alibaba-login')) {
    // This host's own Alibaba identity (ECS role, FC, RRSA…), through the same chain the server uses.
    const deps = createNodeDeps({ fetch })
    const sts = createStsClient(
      { endpoint: env.ALIBABA_CLOUD_STS_ENDPOINT ?? 'https://sts.aliyuncs.com' },
      deps,
    )
    return alibabaSessionBearer({
      url: credvendUrl(args, env),
      source: nodeSourceChain(env, deps, sts),
      fetch,
      now: () => new Date(),
      nonce: () => randomUUID(),
    })
  }
  const file = optionValue(args, '--token-file') ?? env.CREDVEND_TOKEN_FILE
  if (file) {
    return async () => {
      const token = (await readFile(file, 'utf8').catch(() => '')).trim()
      if (!token) throw new UsageError(`cannot read a token from ${file}`)
      return token
    }
  }
  const name =
    optionValue(args, '--token-env') ?? optionValue(args, '--api-key-env') ?? 'CREDVEND_API_KEY'
  return async () => {
    const value = env[name]?.trim()
    if (!value)
      throw new UsageError(
        `no credential: set ${name}, or pass --token-file PATH (a workload token) or --token-env NAME`,
      )
    return value
  }
}

/** `--url` (or `CREDVEND_URL`): https, or http to loopback only. */
export const credvendUrl = (args: readonly string[], env: NodeJS.ProcessEnv): string => {
  const url = optionValue(args, '--url') ?? env.CREDVEND_URL
  if (!url)
    throw new UsageError(
      'name the credvend server: --url https://credvend.example.com (or CREDVEND_URL)',
    )
  const parsed = URL.canParse(url) ? new URL(url) : undefined
  if (
    !parsed ||
    !(
      parsed.protocol === 'https:' ||
      (parsed.protocol === 'http:' &&
        /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(parsed.hostname))
    )
  ) {
    throw new UsageError(`--url must be https (or http to loopback), got ${url}`)
  }
  return url
}
