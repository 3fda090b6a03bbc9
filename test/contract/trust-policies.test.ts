import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDemoConfig } from '../../functions/node/cli/local/demo-config.ts'
import { configSchema } from '../../lib/config/schema.ts'
import { parsePolicy } from '../../lib/policy/schema.ts'
import { trustPoliciesFor } from '../../lib/partners/trust-policies.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'

/** Reviewed golden files: what a human approved, which the renderer must keep producing. */
const GOLDEN = new URL('../../infra/trust-policies/demo/', import.meta.url)
const fileFor = (roleArn: string) => `${roleArn.split(':')[3]}-${roleArn.split('/')[1]}.json`

let emu: TestEmulator
let rendered: ReturnType<typeof trustPoliciesFor>

beforeAll(async () => {
  emu = await startTestEmulator()
  const demo = await createDemoConfig(emu)
  rendered = trustPoliciesFor(configSchema.parse(demo.config))
  // UPDATE_GOLDEN=1 rewrites the files; review the diff before committing it.
  if (process.env.UPDATE_GOLDEN === '1')
    for (const r of rendered)
      writeFileSync(new URL(fileFor(r.roleArn), GOLDEN), `${JSON.stringify(r.policy, null, 2)}\n`)
})
afterAll(() => emu.close())

describe('golden trust policies for the demo config', () => {
  it('exist for exactly the roles the demo config assumes, and are what the renderer produces', () => {
    expect(readdirSync(GOLDEN).sort()).toEqual(rendered.map((r) => fileFor(r.roleArn)).sort())
    for (const r of rendered)
      expect(
        JSON.parse(readFileSync(new URL(fileFor(r.roleArn), GOLDEN), 'utf8')),
        r.roleArn,
      ).toEqual(r.policy)
  })

  it("are what the emulator's demo roles carry, once the ExternalId reference is resolved", () => {
    for (const r of rendered) {
      const [, , , account, resource] = r.roleArn.split(':')
      const role = emu.world.findRole(account!, resource!.split('/')[1]!)!
      const golden = readFileSync(new URL(fileFor(r.roleArn), GOLDEN), 'utf8').replaceAll(
        '{{env:CREDVEND_DEMO_EXTERNAL_ID}}',
        emu.demo.externalId,
      )
      const parsed = parsePolicy(JSON.parse(golden), 'trust')
      expect(parsed.ok && parsed.policy, r.roleArn).toEqual(role.trustPolicy)
    }
  })

  it('partner roles demand the ExternalId; each chain link trusts only the link before it', () => {
    const byRole = new Map(rendered.map((r) => [r.roleArn, r.policy]))
    const partner = byRole.get(emu.demo.partnerRole.arn)!
    expect(partner.Statement[0]!.Condition).toEqual({
      StringEquals: { 'sts:ExternalId': '{{env:CREDVEND_DEMO_EXTERNAL_ID}}' },
    })
    expect(byRole.get(emu.demo.partnerChainRole.arn)!.Statement[0]!.Principal).toEqual({
      RAM: [emu.demo.hubRole.arn],
    })
    expect(byRole.get(emu.demo.hubRole.arn)!.Statement[0]!.Principal).toEqual({
      RAM: [emu.demo.vendorArn],
    })
    expect(byRole.get(emu.demo.appRole.arn)!.Statement[0]!.Condition).toBeUndefined()
  })
})
