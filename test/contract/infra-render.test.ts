import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDemoConfig } from '../../functions/node/cli/local/demo-config.ts'
import { assemble } from '../../lib/assemble.ts'
import { configSchema, type ConfigInput } from '../../lib/config/schema.ts'
import { fromStatic } from '../../lib/credentials/provider.ts'
import { infraDrift } from '../../lib/infra/infra-drift.ts'
import { renderInfra } from '../../lib/infra/render.ts'
import type { RenderedFile } from '../../lib/infra/rendered-file.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { createStsClient } from '../../lib/sts/client.ts'
import { killCliChildren, runCli } from '../helpers/cli.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

const EXECUTION_ROLE = 'acs:ram::1234567890123456:role/credvend-fc'

let emu: TestEmulator
let demo: Awaited<ReturnType<typeof createDemoConfig>>
let config: ConfigInput
let files: RenderedFile[]

const doc = (path: string) => {
  const f = files.find((x) => x.path === path)
  if (!f) throw new Error(`not rendered: ${path}`)
  // The only thing filled in: the ExternalId reference, as the deploying shell would.
  return JSON.parse(
    JSON.stringify(f.json).replaceAll('{{env:CREDVEND_DEMO_EXTERNAL_ID}}', emu.demo.externalId),
  )
}

beforeAll(async () => {
  emu = await startTestEmulator()
  demo = await createDemoConfig(emu)
  config = { ...demo.config, sourcePrincipal: EXECUTION_ROLE }
  files = renderInfra(configSchema.parse(config))
})
afterAll(async () => {
  killCliChildren()
  await emu.close()
})

describe('credvend infra render', () => {
  it("renders the execution role, every assumed role's trust and permissions, bucket CORS, Terraform and one ROS template per account, with no secret", () => {
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'policies/execution-role-trust.json',
        'policies/execution-role-permissions.json',
        'policies/roles/1234567890123456-credvend-demo-trust.json',
        'policies/roles/1234567890123456-credvend-demo-permissions.json',
        'policies/roles/1234567890123456-credvend-hub-trust.json',
        'policies/roles/1234567890123456-credvend-hub-permissions.json',
        'policies/roles/2222222222222222-credvend-partner-demo-trust.json',
        'policies/roles/2222222222222222-credvend-partner-via-hub-trust.json',
        'oss/demo-bucket-cors.json',
        'terraform/main.tf.json',
        'ros/1234567890123456.json',
        'ros/2222222222222222.json',
      ]),
    )
    const everything = JSON.stringify(files)
    for (const secret of Object.values(demo.env)) expect(everything).not.toContain(secret)
    const permissions = doc('policies/execution-role-permissions.json')
    // Exactly the first link of each chain: the hub, never the partner role behind it.
    expect(permissions.Statement[0]).toEqual({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: [emu.demo.appRole.arn, emu.demo.hubRole.arn, emu.demo.partnerRole.arn].sort(),
    })
    expect(doc('oss/demo-bucket-cors.json').CORSRule[0].ExposeHeader).toContain('ETag')
    const tf = doc('terraform/main.tf.json')
    expect(Object.keys(tf.resource.alicloud_ram_role).sort()).toEqual([
      'credvend_demo',
      'credvend_fc',
      'credvend_hub',
      'credvend_partner_demo_2222222222222222',
      'credvend_partner_via_hub_2222222222222222',
    ])
  })

  it('the emulator, running on the rendered documents alone, vends every demo profile and refuses a missing ExternalId', async () => {
    const world = emu.world
    const role = (arn: string, stem: string) => {
      const [, , , account, resource] = arn.split(':')
      const permissions = files.some((f) => f.path === `policies/roles/${stem}-permissions.json`)
        ? [doc(`policies/roles/${stem}-permissions.json`)]
        : []
      return world.createRole(account!, resource!.split('/')[1]!, {
        trustPolicy: doc(`policies/roles/${stem}-trust.json`),
        policies: permissions,
      })
    }
    // Every assumed role is replaced by what the renderer produced (same names, same accounts).
    for (const f of files) {
      const m = /^policies\/roles\/(\d+)-(.+)-trust\.json$/.exec(f.path)
      if (m) role(`acs:ram::${m[1]}:role/${m[2]}`, `${m[1]}-${m[2]}`)
    }
    const execution = world.createRole('1234567890123456', 'credvend-fc', {
      trustPolicy: doc('policies/execution-role-trust.json'),
      policies: [doc('policies/execution-role-permissions.json')],
    })
    // What FC hands the function: a session of its execution role.
    const session = world.issueSession(execution, {
      sessionName: 'fc-instance',
      durationSeconds: 3600,
    })
    const source = {
      accessKeyId: session.accessKeyId,
      accessKeySecret: session.accessKeySecret,
      securityToken: session.securityToken,
      source: 'fc-context',
    }
    const deps = {
      fetch,
      now: emu.now,
      randomId: randomHexId,
      sleep: async () => {},
      random: () => 0.5,
    }
    const { app } = await assemble(
      { deps, env: demo.env, source: () => fromStatic(source), log: () => {}, sharePending: true },
      JSON.stringify(config),
    )
    const vend = async (profile: string, token: string, body?: unknown) => {
      const res = await app.request(`/v1/credentials/${profile}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      })
      return `${res.status} ${(await res.json()).Code}`
    }
    expect({
      upload: await vend('demo-upload', demo.demoToken),
      form: await vend('demo-form', demo.demoToken, { form: true }),
      partner: await vend('demo-partner', demo.apiKey),
      chain: await vend('demo-partner-chain', demo.apiKey),
    }).toEqual({
      upload: '200 Success',
      form: '200 Success',
      partner: '200 Success',
      chain: '200 Success',
    })

    const sts = createStsClient(
      { endpoint: emu.stsEndpoint },
      { fetch, now: emu.now, randomId: randomHexId },
    )
    const without = await sts
      .assumeRole(source, { roleArn: emu.demo.partnerRole.arn, roleSessionName: 'no-external-id' })
      .then(
        () => 'assumed',
        (e: { code?: string }) => e.code,
      )
    expect(without).toBe('ERR_STS_DENIED')
    const notNamed = await sts
      .assumeRole(source, {
        roleArn: emu.demo.partnerChainRole.arn,
        roleSessionName: 'skip-the-hub',
        externalId: emu.demo.externalId,
      })
      .then(
        () => 'assumed',
        (e: { code?: string }) => e.code,
      )
    expect(notNamed).toBe('ERR_STS_DENIED') // the execution role may assume the hub only, not the role behind it
  })
})

describe('credvend infra check', () => {
  it(
    "passes on a fresh render and fails when a profile's bucket or role changes, until re-rendered",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'credvend-infra-'))
      const configPath = join(dir, 'credvend.json')
      writeFileSync(configPath, JSON.stringify(config))
      const out = join(dir, 'rendered')
      const render = runCli(['infra', 'render', configPath, '--out', out])
      expect(await render.exited, render.stderr()).toBe(0)
      // The operator hears that applying the bucket's CORS replaces all of its rules.
      expect(render.stdout()).toMatch(
        /WARNING: bucket demo-bucket: OSS PutBucketCors REPLACES ALL of the bucket's CORS rules\./,
      )
      expect(render.stdout()).toMatch(/ros\/2222222222222222\.json/)
      const check = () => {
        const cli = runCli(['infra', 'check', configPath, out])
        return cli.exited.then((code) => ({ code, out: cli.stdout() }))
      }
      expect((await check()).code).toBe(0)

      const profiles = config.profiles as Record<string, Record<string, unknown>>
      writeFileSync(
        configPath,
        JSON.stringify({
          ...config,
          profiles: {
            ...profiles,
            'demo-upload': { ...profiles['demo-upload'], bucket: 'other-bucket' },
          },
        }),
      )
      const bucket = await check()
      expect(bucket.code).toBe(1)
      expect(bucket.out).toMatch(/missing: oss\/other-bucket-cors\.json/)

      writeFileSync(
        configPath,
        JSON.stringify({
          ...config,
          profiles: {
            ...profiles,
            'demo-partner': {
              ...profiles['demo-partner'],
              roleArn: 'acs:ram::2222222222222222:role/another-role',
            },
          },
        }),
      )
      const roleChange = await check()
      expect(roleChange.code).toBe(1)
      expect(roleChange.out).toMatch(
        /missing: policies\/roles\/2222222222222222-another-role-trust\.json/,
      )

      const again = runCli(['infra', 'render', configPath, '--out', join(dir, 'rendered-2')])
      expect(await again.exited).toBe(0)
      const after = runCli(['infra', 'check', configPath, join(dir, 'rendered-2')])
      expect(await after.exited).toBe(0)
      expect(
        readFileSync(
          join(dir, 'rendered-2', 'policies/roles/2222222222222222-another-role-trust.json'),
          'utf8',
        ),
      ).toContain('{{env:CREDVEND_DEMO_EXTERNAL_ID}}')
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it('reports a hand-edited file as drift', () => {
    const actual = new Map(files.map((f) => [f.path, `${JSON.stringify(f.json, null, 2)}\n`]))
    expect(infraDrift(files, actual)).toEqual([])
    actual.set('policies/execution-role-permissions.json', '{}\n')
    actual.set(
      'ros/2222222222222222.json',
      actual
        .get('ros/2222222222222222.json')!
        .replace('"MaxSessionDuration": 3600', '"MaxSessionDuration": 43200'),
    )
    actual.set('policies/extra.json', '{}\n')
    expect(infraDrift(files, actual)).toEqual([
      'differs: policies/execution-role-permissions.json',
      'differs: ros/2222222222222222.json',
      'not implied by the config: policies/extra.json',
    ])
  })
})
