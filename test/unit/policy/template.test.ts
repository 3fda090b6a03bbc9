import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  MAX_POLICY_BYTES,
  compileTemplate,
  renderTemplate,
  substituteChecked,
  type CompiledTemplate,
  type TemplateVariables,
} from '../../../lib/policy/template.ts'

const variables: TemplateVariables = {
  claims: { 'claims.team': /^[a-z]{1,16}$/, 'claims.any': /^.*$/s },
  params: { 'params.folder': /^[a-z0-9-]{1,32}$/ },
  callerPattern: /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/,
}

const policy = (...statements: Record<string, unknown>[]) => ({
  Version: '1',
  Statement: statements,
})
const allowGet = (resource: unknown, extra: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Action: 'oss:GetObject',
  Resource: resource,
  ...extra,
})

const compiled = (template: unknown): CompiledTemplate => {
  const result = compileTemplate(template, variables)
  if (!result.ok) throw new Error(`expected the template to compile: ${result.problems.join('; ')}`)
  return result.template
}

const problemsOf = (template: unknown): string[] => {
  const result = compileTemplate(template, variables)
  return result.ok ? [] : result.problems
}

const userObjects = policy(allowGet('acs:oss:*:*:bucket/users/${caller.id}/*'))

describe('compileTemplate', () => {
  it('accepts variables in Resource and records which are used', () => {
    const t = compiled(
      policy(allowGet(['acs:oss:*:*:b/${caller.id}/*', 'acs:oss:*:*:b/${claims.team}/*'])),
    )
    expect([...t.used].sort()).toEqual(['caller.id', 'claims.team'])
    expect(t.variables).toBe(variables)
  })

  it('accepts variables in NotResource and in Condition values', () => {
    const t = compiled(
      policy({
        Effect: 'Deny',
        Action: 'oss:ListObjects',
        NotResource: 'acs:oss:*:*:b/${caller.sub}/*',
        Condition: { StringLike: { 'oss:Prefix': ['users/${caller.id}/*'] } },
      }),
    )
    expect([...t.used].sort()).toEqual(['caller.id', 'caller.sub'])
  })

  it.each([
    ['Action', { Action: 'oss:${caller.id}' }],
    ['Sid', { Sid: '${caller.id}' }],
    ['Effect', { Effect: '${caller.id}' }],
  ])('refuses a variable in %s', (field, override) => {
    const problems = problemsOf(policy({ ...allowGet('acs:oss:*:*:b/*'), ...override }))
    expect(problems).toContainEqual(
      expect.stringContaining(
        `Statement[0].${field}: variables may appear only in Resource and Condition values`,
      ),
    )
  })

  it('refuses a variable in a Condition key, which is not a value', () => {
    const problems = problemsOf(
      policy(allowGet('acs:oss:*:*:b/*', { Condition: { StringLike: { '${caller.id}': 'x' } } })),
    )
    expect(problems).toContainEqual(
      expect.stringContaining('variables may appear only in Resource and Condition values'),
    )
  })

  it('refuses a variable in Version', () => {
    const problems = problemsOf({ ...userObjects, Version: '${caller.id}' })
    expect(problems).toContainEqual(
      expect.stringContaining('sessionPolicy.Version: variables may appear only'),
    )
  })

  it.each(['${caller.name}', '${claims.unknown}', '${params.unknown}', '${caller.id.x}'])(
    'refuses the unknown variable %s at compile',
    (variable) => {
      const problems = problemsOf(policy(allowGet(`acs:oss:*:*:b/${variable}/*`)))
      expect(problems).toContainEqual(
        expect.stringContaining(`Statement[0].Resource: unknown variable ${variable}`),
      )
    },
  )

  it.each([
    'acs:oss:*:*:b/${caller.id}',
    'acs:oss:*:*:b/${caller.id}/*',
    'acs:oss:*:*:b/${caller.id}:x',
    '${caller.id}',
    'acs:oss:*:*:b/${caller.id}/${params.folder}/*',
  ])('accepts %s: every variable between delimiters', (resource) => {
    expect(problemsOf(policy(allowGet(resource)))).toEqual([])
  })

  it.each([
    'acs:oss:*:*:b/user-${caller.id}/*',
    'acs:oss:*:*:b/${caller.id}-x/*',
    'acs:oss:*:*:b/${caller.id}*',
    'acs:oss:*:*:b/${caller.id}${claims.team}/*',
  ])('refuses %s: a variable glued to other text', (resource) => {
    expect(problemsOf(policy(allowGet(resource)))).toContainEqual(
      expect.stringContaining('must stand between delimiters (/ or :)'),
    )
  })

  it('refuses a request parameter that is not narrowing a caller-scoped value', () => {
    expect(problemsOf(policy(allowGet('acs:oss:*:*:b/${params.folder}/*')))).toContainEqual(
      expect.stringContaining('${params.folder} may only narrow a caller-scoped value'),
    )
  })

  it('accepts a request parameter after a claim', () => {
    expect(problemsOf(policy(allowGet('acs:oss:*:*:b/${claims.team}/${params.folder}/*')))).toEqual(
      [],
    )
  })

  it('refuses a malformed variable', () => {
    expect(problemsOf(policy(allowGet('acs:oss:*:*:b/${caller.id/*')))).toContainEqual(
      expect.stringContaining('malformed variable'),
    )
  })

  it('reports RAM grammar problems', () => {
    const problems = problemsOf(policy({ Action: 'oss:GetObject', Resource: '*' }))
    expect(problems.length).toBeGreaterThan(0)
    expect(problems.every((p) => p.startsWith('sessionPolicy'))).toBe(true)
  })
})

describe('renderTemplate', () => {
  it('returns the minified rendered text, its sha256 and the values', async () => {
    const rendered = await renderTemplate(compiled(userObjects), { 'caller.id': 'alice' })
    const expected = JSON.stringify(policy(allowGet('acs:oss:*:*:bucket/users/alice/*')))
    expect(rendered.text).toBe(expected)
    expect(rendered.sha256).toBe(createHash('sha256').update(expected, 'utf8').digest('hex'))
    expect([...rendered.values]).toEqual([['caller.id', 'alice']])
  })

  it('substitutes into Condition values and leaves the template untouched', async () => {
    const template = policy(
      allowGet('acs:oss:*:*:b/${claims.team}/*', {
        Condition: { StringLike: { 'oss:Prefix': ['${claims.team}/${params.folder}/*'] } },
      }),
    )
    const before = JSON.stringify(template)
    const rendered = await renderTemplate(compiled(template), {
      'claims.team': 'ops',
      'params.folder': 'logs-1',
    })
    expect(JSON.parse(rendered.text).Statement[0]).toMatchObject({
      Resource: 'acs:oss:*:*:b/ops/*',
      Condition: { StringLike: { 'oss:Prefix': ['ops/logs-1/*'] } },
    })
    expect(JSON.stringify(template)).toBe(before)
  })

  it('ignores supplied values the template does not use', async () => {
    const rendered = await renderTemplate(compiled(userObjects), {
      'caller.id': 'alice',
      'claims.team': 'ops',
    })
    expect([...rendered.values.keys()]).toEqual(['caller.id'])
  })

  it('refuses a missing caller or claim value as ERR_POLICY_VALUE', async () => {
    await expect(renderTemplate(compiled(userObjects), {})).rejects.toMatchObject({
      code: 'ERR_POLICY_VALUE',
    })
  })

  it('refuses a missing request parameter as ERR_BAD_REQUEST', async () => {
    const t = compiled(policy(allowGet('acs:oss:*:*:b/${caller.id}/${params.folder}/*')))
    await expect(renderTemplate(t, { 'caller.id': 'alice' })).rejects.toMatchObject({
      code: 'ERR_BAD_REQUEST',
    })
  })

  it.each([
    ['caller.id', 'alice bob'],
    ['caller.id', '-alice'],
    ['claims.team', 'Ops'],
    ['claims.team', 'x'.repeat(17)],
  ])('refuses %s = %j, which does not match its pattern', async (name, value) => {
    const t = compiled(policy(allowGet(`acs:oss:*:*:b/\${${name}}/*`)))
    await expect(renderTemplate(t, { [name]: value })).rejects.toMatchObject({
      code: 'ERR_POLICY_VALUE',
    })
  })

  // `claims.any` matches anything: only the module's own character rule stands in the way.
  it.each([
    ['a wildcard', 'a*'],
    ['a single-character wildcard', 'a?'],
    ['a path separator', 'a/b'],
    ['a parent step', 'a..b'],
    ['only a dot', '.'],
    ['a leading dot (a hidden or "here" segment)', '.alice'],
    ['a variable', '${caller.id}'],
    ['a quote', 'a"b'],
    ['a backslash', 'a\\b'],
    ['a control character', 'a\nb'],
    ['a non-ASCII look-alike', 'аlice'],
  ])('refuses a value carrying %s, whatever its pattern allows', async (_label, value) => {
    const t = compiled(policy(allowGet('acs:oss:*:*:b/${claims.any}/*')))
    await expect(renderTemplate(t, { 'claims.any': value })).rejects.toMatchObject({
      code: 'ERR_POLICY_VALUE',
    })
  })

  it.each([
    ['empty', ''],
    ['longer than 128 characters', 'a'.repeat(129)],
  ])('refuses a value that is %s before its pattern runs, even if it allows it', async (_l, v) => {
    const t = compiled(policy(allowGet('acs:oss:*:*:b/${claims.any}/*')))
    await expect(renderTemplate(t, { 'claims.any': v })).rejects.toMatchObject({
      code: 'ERR_POLICY_VALUE',
    })
  })

  it('accepts a 128-character value', async () => {
    const t = compiled(policy(allowGet('acs:oss:*:*:b/${claims.any}/*')))
    const rendered = await renderTemplate(t, { 'claims.any': 'a'.repeat(128) })
    expect(rendered.text).toContain(`/${'a'.repeat(128)}/`)
  })

  describe('the size limit', () => {
    /** A template whose rendering with a value of `valueLength` characters is `bytes` long. */
    const sized = (bytes: number, valueLength: number) => {
      const withPad = (pad: string) =>
        policy(allowGet(['acs:oss:*:*:b/${caller.id}/*', `acs:oss:*:*:b/${pad}`]))
      const bare = JSON.stringify(withPad('')).length - '${caller.id}'.length + valueLength
      return compiled(withPad('x'.repeat(bytes - bare)))
    }

    it('is the 2047 bytes STS accepts', () => {
      expect(MAX_POLICY_BYTES).toBe(2047)
    })

    it('accepts a rendered policy of exactly the limit', async () => {
      const rendered = await renderTemplate(sized(MAX_POLICY_BYTES, 100), {
        'caller.id': 'a'.repeat(100),
      })
      expect(Buffer.byteLength(rendered.text)).toBe(MAX_POLICY_BYTES)
    })

    it('refuses one byte more as ERR_POLICY_TOO_LARGE', async () => {
      await expect(
        renderTemplate(sized(MAX_POLICY_BYTES, 100), { 'caller.id': 'a'.repeat(101) }),
      ).rejects.toMatchObject({ code: 'ERR_POLICY_TOO_LARGE' })
    })

    it('counts UTF-8 bytes, not characters', async () => {
      const template = policy(allowGet('acs:oss:*:*:b/${caller.id}/*', { Sid: 'é'.repeat(1000) }))
      const text = JSON.stringify(template).replace('${caller.id}', 'alice')
      // The premise: under the limit in characters, over it in bytes.
      expect(text.length).toBeLessThanOrEqual(MAX_POLICY_BYTES)
      expect(Buffer.byteLength(text)).toBeGreaterThan(MAX_POLICY_BYTES)
      await expect(
        renderTemplate(compiled(template), { 'caller.id': 'alice' }),
      ).rejects.toMatchObject({ code: 'ERR_POLICY_TOO_LARGE' })
    })
  })
})

describe('substituteChecked', () => {
  const values = new Map([
    ['caller.id', 'alice'],
    ['params.folder', 'logs'],
  ])

  it('substitutes every rendered variable', () => {
    expect(substituteChecked('users/${caller.id}/${params.folder}/', values)).toBe(
      'users/alice/logs/',
    )
  })

  it('leaves text without variables as it is', () => {
    expect(substituteChecked('static/prefix/', values)).toBe('static/prefix/')
  })

  it('refuses a variable that was not rendered', () => {
    expect(() => substituteChecked('users/${claims.team}/', values)).toThrow(
      expect.objectContaining({ code: 'ERR_POLICY_INVALID' }),
    )
  })
})
