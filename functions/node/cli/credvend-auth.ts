import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { alibabaSessionBearer } from '../../../lib/session/login-client.ts'
import { createStsClient } from '../../../lib/sts/client.ts'
import { createNodeDeps } from '../platform/deps.ts'
import { nodeSourceChain } from '../platform/source-chain.ts'
import { UsageError } from './usage-error.ts'

/** The flags every client command takes to reach credvend and prove who it is. */
export const AUTH_OPTIONS = {
  url: { type: 'string' },
  'token-file': { type: 'string' },
  'token-env': { type: 'string' },
  'api-key-env': { type: 'string' },
  'alibaba-login': { type: 'boolean' },
} as const

export interface AuthValues {
  readonly url?: string | undefined
  readonly 'token-file'?: string | undefined
  readonly 'token-env'?: string | undefined
  readonly 'api-key-env'?: string | undefined
  readonly 'alibaba-login'?: boolean | undefined
}

export const AUTH_SYNOPSIS =
  '--url URL [--token-file PATH | --token-env NAME | --api-key-env NAME | --alibaba-login]'

export const AUTH_HELP = `  --url URL             the credvend server: https, or http to loopback (or CREDVEND_URL)
  --token-file PATH     a workload token file, re-read on every call (or CREDVEND_TOKEN_FILE)
  --token-env NAME      a login or workload token in the environment variable NAME
  --api-key-env NAME    a partner API key in the environment variable NAME (default CREDVEND_API_KEY)
  --alibaba-login       prove this host's own Alibaba identity (a signed GetCallerIdentity)
`

export const AUTH_ENV = {
  CREDVEND_URL: 'the credvend server, when --url is not given',
  CREDVEND_TOKEN_FILE: 'a workload token file, when --token-file is not given',
  CREDVEND_API_KEY: 'the API key, when no other credential is named',
  ALIBABA_CLOUD_STS_ENDPOINT:
    'the STS endpoint --alibaba-login signs for (default sts.aliyuncs.com)',
} as const

/**
 * How a client command proves who it is to credvend: `--alibaba-login` (a signed GetCallerIdentity
 * from this host's own identity), a workload token file (re-read on every call, because projected
 * service-account tokens rotate), a token in an environment variable, or an API key in one
 * (`CREDVEND_API_KEY` by default). Never a value on the command line, where `ps` shows it.
 */
export const bearerFrom = (values: AuthValues, env: NodeJS.ProcessEnv): (() => Promise<string>) => {
  if (values['alibaba-login']) {
    // This host's own Alibaba identity (ECS role, FC, RRSA…), through the same chain the server uses.
    const deps = createNodeDeps({ fetch })
    const sts = createStsClient(
      { endpoint: env.ALIBABA_CLOUD_STS_ENDPOINT ?? 'https://sts.aliyuncs.com' },
      deps,
    )
    return alibabaSessionBearer({
      url: credvendUrl(values, env),
      source: nodeSourceChain(env, deps, sts),
      fetch,
      now: () => new Date(),
      nonce: () => randomUUID(),
    })
  }
  const file = values['token-file'] ?? env.CREDVEND_TOKEN_FILE
  if (file) {
    return async () => {
      const token = (await readFile(file, 'utf8').catch(() => '')).trim()
      if (!token) throw new UsageError(`cannot read a token from ${file}`)
      return token
    }
  }
  const name = values['token-env'] ?? values['api-key-env'] ?? 'CREDVEND_API_KEY'
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
export const credvendUrl = (values: AuthValues, env: NodeJS.ProcessEnv): string => {
  const url = values.url ?? env.CREDVEND_URL
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
