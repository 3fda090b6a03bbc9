import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { promisify } from 'node:util'
import type { Config } from '../../../../lib/config/schema.ts'
import { isAllowedCredentialsUrl } from '../../../../lib/credentials/check-url.ts'
import { serverChain } from '../../../../lib/credentials/default-chains.ts'
import { explainChain } from '../../../../lib/credentials/explain-chain.ts'
import { fromInstanceMetadata } from '../../../../lib/credentials/providers/instance-metadata.ts'
import { createStsClient } from '../../../../lib/sts/client.ts'
import { createNodeDeps } from '../../platform/deps.ts'
import { defineCommand } from '../command.ts'
import { checkClockSkew } from '../doctor/check-clock-skew.ts'
import { checkConfig } from '../doctor/check-config.ts'
import { checkEndpoint } from '../doctor/check-endpoint.ts'
import { checkIdentity } from '../doctor/check-identity.ts'
import { checkSource } from '../doctor/check-source.ts'
import { doctorExitCode, type DoctorCheck } from '../doctor/doctor-check.ts'
import { formatReport } from '../doctor/format-report.ts'
import { probeEndpoint } from '../doctor/probe-endpoint.ts'
import { UsageError } from '../usage-error.ts'

const DEFAULT_STS_ENDPOINT = 'https://sts.aliyuncs.com'
const DEFAULT_TIMEOUT_MS = 3_000
/** Metadata answers in about a millisecond where it exists; elsewhere the probe only costs time. */
const IMDS_PROBE_MS = 500

const run = promisify(execFile)

const timeoutFrom = (value: string | undefined): number => {
  if (value === undefined) return DEFAULT_TIMEOUT_MS
  const ms = Number(value)
  if (!/^\d+$/.test(value) || ms < 100 || ms > 60_000)
    throw new UsageError(`--timeout-ms takes whole milliseconds from 100 to 60000, got "${value}"`)
  return ms
}

/** The config's STS endpoint, else ALIBABA_CLOUD_STS_ENDPOINT (as `--alibaba-login` reads it), else STS's global one. */
const stsEndpointFor = (config: Config | undefined, env: NodeJS.ProcessEnv): string => {
  if (config) return config.sts.endpoint
  const named = env.ALIBABA_CLOUD_STS_ENDPOINT
  if (named === undefined || named === '') return DEFAULT_STS_ENDPOINT
  let url: URL | undefined
  try {
    url = new URL(named)
  } catch {
    url = undefined
  }
  // Signed calls carry a security token in the clear over plain HTTP: loopback only.
  if (!url || !isAllowedCredentialsUrl(url))
    throw new UsageError('ALIBABA_CLOUD_STS_ENDPOINT must be an https URL, or http to loopback')
  return named
}

export const doctorCommand = defineCommand({
  name: 'doctor',
  summary: "check this host: credvend's identity and its source, STS, the config, the clock",
  usage: 'doctor [--config FILE] [--json] [--timeout-ms N]',
  help: `Checks what credvend needs on this host and prints what to fix, one line per problem:

  source        which credential source credvend's chain (the official SDKs' order) picks here
                and why, which configured sources it hides, and where it stops at a broken one
  identity      STS GetCallerIdentity with that source: the account and ARN credvend runs as
  config        the config, loaded as "config check" loads it (placeholder secrets)
  sts-endpoint  the config's STS endpoint answers
  clock-skew    this host's clock against STS's Date header
  kms-endpoint  the config's KMS endpoint answers, when it has a kms section

No secret or token is printed; an AccessKeyId only as its first and last four characters. The ECS
metadata service is asked only when the chain reaches it and it is not disabled. Exits 0 when no
check failed (warnings allowed), 1 when one failed, 3 when STS or KMS did not answer.

options:
  --config FILE         the config to check (or CREDVEND_CONFIG); its STS endpoint is used
  --json                print {"ok", "stsEndpoint", "checks": [{"name", "status", "detail", "fix"}],
                        "sources": [{"source", "state", "detail"}]}; status is ok|warn|fail|skipped,
                        and a check whose upstream did not answer adds "unreachable": true
  --timeout-ms N        the limit for each network call and an External profile's process_command
                        (default ${DEFAULT_TIMEOUT_MS}; the metadata probe uses at most ${IMDS_PROBE_MS})
`,
  options: {
    config: { type: 'string' },
    json: { type: 'boolean' },
    'timeout-ms': { type: 'string' },
  },
  positionals: [0, 0],
  env: {
    CREDVEND_CONFIG: 'the config, when --config is not given',
    ALIBABA_CLOUD_STS_ENDPOINT: `the STS endpoint when no config names one (default ${DEFAULT_STS_ENDPOINT})`,
    'ALIBABA_CLOUD_*': "credvend's own identity, found as the server finds it",
  },
  async run({ values, env }) {
    const timeoutMs = timeoutFrom(values['timeout-ms'])
    const configPath = values.config ?? (env.CREDVEND_CONFIG || undefined)
    const configured = await checkConfig(configPath, values.config ? '--config' : 'CREDVEND_CONFIG')
    const config = configured.config
    const endpoint = stsEndpointFor(config, env)
    const deps = createNodeDeps({ fetch })
    const sts = createStsClient(
      { endpoint, timeoutMs, ...(config ? { signature: config.sts.signature } : {}) },
      deps,
    )
    const homeDir = homedir()
    const readText = (path: string) => readFile(path, 'utf8').catch(() => undefined)
    const probe = (url: string) =>
      probeEndpoint(url, { fetch: deps.fetch, nowMs: () => deps.now().getTime(), timeoutMs })
    const [explanation, stsProbe, kmsProbe] = await Promise.all([
      explainChain({
        env,
        homeDir,
        readFile: readText,
        now: deps.now,
        instanceMetadata: fromInstanceMetadata({
          env,
          fetch: deps.fetch,
          timeoutMs: Math.min(timeoutMs, IMDS_PROBE_MS),
        }),
      }),
      probe(endpoint),
      config?.kms ? probe(config.kms.endpoint) : undefined,
    ])
    // The server's own chain (functions/node/platform/source-chain.ts), with the doctor's time
    // limit on an External profile's command instead of the server's minute.
    const source = serverChain({
      env,
      fetch: deps.fetch,
      now: deps.now,
      sts,
      homeDir,
      readFile: readText,
      runProcess: async (command) =>
        (await run('/bin/sh', ['-c', command], { timeout: timeoutMs, maxBuffer: 64 * 1024 }))
          .stdout,
    })
    const identity = await checkIdentity({
      explanation,
      stsReachable: stsProbe.reachable,
      source,
      sts,
      endpoint,
    })
    const checks: DoctorCheck[] = [
      checkSource(explanation),
      identity,
      configured.check,
      checkEndpoint('sts-endpoint', endpoint, stsProbe),
      checkClockSkew(stsProbe),
      config?.kms && kmsProbe
        ? checkEndpoint('kms-endpoint', config.kms.endpoint, kmsProbe)
        : {
            name: 'kms-endpoint',
            status: 'skipped',
            detail: config ? 'the config has no kms section' : 'no config loaded',
            fix: null,
          },
    ]
    const code = doctorExitCode(checks)
    if (values.json)
      console.log(
        JSON.stringify({
          ok: code === 0,
          stsEndpoint: endpoint,
          checks,
          sources: explanation.sources.map(({ source, state, detail }) => ({
            source,
            state,
            detail,
          })),
        }),
      )
    else console.log(formatReport(checks, explanation.sources, explanation.winner))
    return code
  },
})
