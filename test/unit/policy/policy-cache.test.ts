import { describe, expect, it } from 'vitest'
import {
  createPolicyCache,
  policyRenderer,
  type TemplateCaller,
} from '../../../lib/policy/policy-cache.ts'
import {
  compileTemplate,
  renderTemplate,
  type CompiledTemplate,
  type TemplateVariables,
} from '../../../lib/policy/template.ts'

const variables: TemplateVariables = {
  claims: { 'claims.team': /^[a-z]{1,16}$/ },
  params: { 'params.folder': /^[a-z0-9-]{1,32}$/ },
  callerPattern: /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/,
}

const compiled = (resource: string): CompiledTemplate => {
  const result = compileTemplate(
    { Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:GetObject', Resource: resource }] },
    variables,
  )
  if (!result.ok) throw new Error(result.problems.join('; '))
  return result.template
}

const teamFolders = compiled('acs:oss:*:*:b/${claims.team}/${caller.id}/${params.folder}/*')

const caller = (
  id: string,
  claims: Record<string, unknown> = { team: 'blue' },
): TemplateCaller => ({
  id,
  sub: id,
  claims,
})

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'rendered',
    (e: { code: string }) => e.code,
  )

describe('policyRenderer', () => {
  it('renders exactly what renderTemplate renders for the same values', async () => {
    const render = policyRenderer(teamFolders, createPolicyCache(), '0')
    const rendered = await render(caller('alice'), { folder: 'logs' })
    const direct = await renderTemplate(teamFolders, {
      'claims.team': 'blue',
      'caller.id': 'alice',
      'params.folder': 'logs',
    })
    expect({ ...rendered, values: [...rendered.values] }).toEqual({
      ...direct,
      values: [...direct.values],
    })
    expect(rendered.bytes).toBe(Buffer.byteLength(rendered.text))
  })

  it('serves the same rendering for the same values, and a new one for any other value', async () => {
    const cache = createPolicyCache()
    const render = policyRenderer(teamFolders, cache, '0')
    const first = await render(caller('alice'), { folder: 'logs' })
    expect(await render(caller('alice'), { folder: 'logs' })).toBe(first)
    expect(cache.size).toBe(1)
    const other = await render(caller('alice'), { folder: 'logs-2' })
    expect(other.text).toContain('/alice/logs-2/')
    expect(other.sha256).not.toBe(first.sha256)
    expect((await render(caller('alice', { team: 'red' }), { folder: 'logs' })).text).toContain(
      'b/red/alice/logs/',
    )
  })

  it.each([
    ['a path in a parameter', caller('alice'), { folder: 'logs/../../x' }, 'ERR_POLICY_VALUE'],
    ['a wildcard in a parameter', caller('alice'), { folder: '*' }, 'ERR_POLICY_VALUE'],
    ['a parameter its pattern refuses', caller('alice'), { folder: 'LOGS' }, 'ERR_POLICY_VALUE'],
    ['a missing parameter', caller('alice'), {}, 'ERR_BAD_REQUEST'],
    [
      'a claim its pattern refuses',
      caller('alice', { team: 'Blue' }),
      { folder: 'logs' },
      'ERR_POLICY_VALUE',
    ],
    [
      'a claim that is not a string',
      caller('alice', { team: ['blue'] }),
      { folder: 'logs' },
      'ERR_POLICY_VALUE',
    ],
    ['a missing claim', caller('alice', {}), { folder: 'logs' }, 'ERR_POLICY_VALUE'],
    ['a hostile caller id', caller('alice/../bob'), { folder: 'logs' }, 'ERR_POLICY_VALUE'],
  ])(
    'refuses %s even when a rendering for other values is cached',
    async (_name, who, params, code) => {
      const cache = createPolicyCache()
      const render = policyRenderer(teamFolders, cache, '0')
      await render(caller('alice'), { folder: 'logs' })
      expect(await refusal(render(who, params))).toBe(code)
      expect(cache.size).toBe(1)
    },
  )

  it('keeps profiles sharing one cache apart', async () => {
    const cache = createPolicyCache()
    const reads = policyRenderer(compiled('acs:oss:*:*:reads/${caller.id}/*'), cache, '0')
    const writes = policyRenderer(compiled('acs:oss:*:*:writes/${caller.id}/*'), cache, '1')
    expect((await reads(caller('alice'), {})).text).toContain('reads/alice/')
    expect((await writes(caller('alice'), {})).text).toContain('writes/alice/')
    expect(cache.size).toBe(2)
  })

  it('stays within its entry and byte bounds', async () => {
    const few = createPolicyCache(3, 1_000_000)
    const render = policyRenderer(teamFolders, few, '0')
    for (const folder of ['a', 'b', 'c', 'd', 'e']) await render(caller('alice'), { folder })
    expect(few.size).toBe(3)
    const small = createPolicyCache(100, 4_000)
    const inSmall = policyRenderer(teamFolders, small, '0')
    for (const folder of ['a', 'b', 'c', 'd', 'e']) await inSmall(caller('alice'), { folder })
    expect(small.totalSize).toBeLessThanOrEqual(4_000)
    expect(small.size).toBeLessThan(5)
  })
})
