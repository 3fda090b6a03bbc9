import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { configSchema } from '../../lib/config/schema.ts'
import { renderInfra } from '../../lib/infra/render.ts'
import { roleCeiling } from '../../functions/node/cli/commands/policy-explain.ts'
import { killCliChildren, runCli } from '../helpers/cli.ts'
import { UPLOAD_TEMPLATE } from '../helpers/vend-harness.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

afterEach(killCliChildren)
const dir = mkdtempSync(join(tmpdir(), 'credvend-policy-'))

const write = (name: string, value: unknown) => {
  const path = join(dir, name)
  writeFileSync(path, JSON.stringify(value, null, 2))
  return path
}

const ROLE = (name: string) => `acs:ram::1234567890123456:role/${name}`
const BUCKET = 'acs:oss:*:*:example-avatars'

const CONFIG = {
  region: 'cn-hangzhou',
  sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
  sourcePrincipal: ROLE('credvend'),
  callers: {
    jwt: [
      { id: 'web', issuer: 'https://login.example.com', audience: 'credvend', jwks: { keys: [] } },
      {
        id: 'ack',
        kind: 'workload',
        issuer: 'https://oidc.ack.example.com',
        audience: 'credvend',
        jwks: { keys: [] },
      },
    ],
    apiKeys: [{ id: 'acme', sha256: [{ env: 'ACME_SHA256' }] }],
  },
  profiles: {
    upload: {
      kind: 'sts',
      allow: [{ jwt: 'web' }],
      roleArn: ROLE('app'),
      sessionPolicy: UPLOAD_TEMPLATE,
      variables: { 'claims.tenant': { pattern: '^[a-z0-9-]{1,40}$' } },
      parameters: { folder: {} },
    },
    avatars: {
      kind: 'oss-upload',
      allow: [{ jwt: 'web', claims: { role: 'member' } }],
      roleArn: ROLE('avatars'),
      bucket: 'example-avatars',
      region: 'oss-cn-hangzhou',
      prefix: 'users/${caller.id}/',
      actions: ['put', 'list'],
    },
    lister: {
      kind: 'sts',
      allow: [{ jwt: 'web' }],
      roleArn: ROLE('lister'),
      sessionPolicy: {
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: 'oss:ListObjects', Resource: BUCKET }],
      },
    },
    partner: {
      kind: 'sts',
      allow: [{ apiKey: 'acme' }],
      roleArn: ROLE('partner'),
      sessionPolicy: {
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'oss:GetObject',
            Resource: 'acs:oss:*:*:partner-drop/${caller.id}/*',
          },
        ],
      },
    },
    reports: { kind: 'sts', allow: [{ apiKey: 'acme' }], roleArn: ROLE('partner') },
    billing: {
      kind: 'sts',
      allow: [{ jwt: 'ack', sub: 'system:serviceaccount:billing:*' }],
      roleArn: ROLE('billing'),
    },
  },
}
const config = write('config.json', CONFIG)

const alice = write('alice.json', {
  iss: 'https://login.example.com',
  sub: 'alice',
  role: 'member',
  tenant: 'acme-corp',
})
const bob = write('bob.json', { iss: 'https://login.example.com', sub: 'bob', role: 'guest' })
const billingApi = write('billing-api.json', {
  iss: 'https://oidc.ack.example.com',
  sub: 'system:serviceaccount:billing:api',
})

const render = (...args: string[]) => runCli(['policy', 'render', '--config', config, ...args])
const explain = (...args: string[]) => runCli(['policy', 'explain', '--config', config, ...args])

describe('credvend policy render', { timeout: CHILD_PROCESS_TIMEOUT_MS }, () => {
  it('prints the exact policy a caller would get, its size against the limit, and the session name', async () => {
    const cli = render('--profile', 'upload', '--as', alice, '--param', 'folder=photos')
    expect(await cli.exited).toBe(0)
    const [policy, size] = cli.stdout().split('\n')
    expect(policy).toBe(
      '{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:PutObject"],"Resource":["acs:oss:*:*:demo-bucket/users/jwt.web.alice/photos/*"]},' +
        '{"Effect":"Allow","Action":["oss:GetObject"],"Resource":["acs:oss:*:*:demo-bucket/tenants/acme-corp/*"]}]}',
    )
    expect(size).toBe(
      `size: ${Buffer.byteLength(policy!)} of 2047 bytes (${Math.round((Buffer.byteLength(policy!) / 2047) * 100)}%)`,
    )
    expect(cli.stdout()).toContain('session name: jwt.web.alice')
  })

  it('says a caller outside the allow rules would be refused, and prints no policy or session name', async () => {
    const cli = render('--profile', 'avatars', '--as', bob)
    expect(await cli.exited).toBe(1)
    expect(cli.stdout()).toContain(
      'refused: the server answers 404 ERR_NOT_FOUND: no allow rule of profile avatars admits caller jwt.web.bob',
    )
    expect(cli.stdout()).not.toMatch(/session name|Statement|sha256/)
  })

  it('refuses a token whose iss names no configured issuer, even where the profile allows another (--json)', async () => {
    const stranger = write('stranger.json', {
      iss: 'https://login.evil.example',
      sub: 'alice',
      role: 'member',
    })
    const cli = render('--profile', 'avatars', '--as', stranger, '--json')
    expect(await cli.exited).toBe(1)
    expect(JSON.parse(cli.stdout())).toEqual({
      ok: false,
      profile: 'avatars',
      caller: null,
      refused: {
        status: 401,
        code: 'ERR_AUTH_ISSUER',
        reason: 'token issuer not trusted: its iss is no issuer in callers.jwt',
      },
    })
  })

  it('refuses a hostile claim exactly as the server would', async () => {
    const mallory = write('mallory.json', {
      iss: 'https://login.example.com',
      sub: 'mallory',
      tenant: '*',
    })
    const cli = render('--profile', 'upload', '--as', mallory, '--param', 'folder=x')
    expect(await cli.exited).toBe(1)
    expect(cli.stdout()).toMatch(/^refused: the server answers 400 ERR_POLICY_VALUE: /m)
    expect(cli.stdout()).not.toContain('Statement')
  })

  it('simulates a partner API-key caller (--json)', async () => {
    const cli = render('--profile', 'partner', '--api-key', 'acme', '--json')
    expect(await cli.exited).toBe(0)
    const out = JSON.parse(cli.stdout())
    const text =
      '{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:partner-drop/key.acme/*"}]}'
    expect(out).toEqual({
      ok: true,
      profile: 'partner',
      kind: 'sts',
      caller: { id: 'key.acme', kind: 'apiKey', authority: 'acme' },
      refused: null,
      roleArn: ROLE('partner'),
      sessionName: 'key.acme',
      prefix: null,
      policy: {
        text,
        bytes: Buffer.byteLength(text),
        maxBytes: 2047,
        sha256: createHash('sha256').update(text).digest('hex'),
      },
    })
  })

  it("simulates a workload caller, inside and outside its allow rule's sub pattern", async () => {
    const inside = render('--profile', 'billing', '--as', billingApi, '--json')
    expect(await inside.exited).toBe(0)
    expect(JSON.parse(inside.stdout())).toMatchObject({
      ok: true,
      caller: { kind: 'jwt', authority: 'ack' },
      policy: null,
    })
    const payroll = write('payroll.json', {
      iss: 'https://oidc.ack.example.com',
      sub: 'system:serviceaccount:payroll:api',
    })
    const outside = render('--profile', 'billing', '--as', payroll)
    expect(await outside.exited).toBe(1)
    expect(outside.stdout()).toMatch(/^refused: the server answers 404 ERR_NOT_FOUND/m)
  })
})

describe('credvend policy explain', { timeout: CHILD_PROCESS_TIMEOUT_MS }, () => {
  const asAlice = ['--profile', 'avatars', '--as', alice]

  it('allows a write under the caller’s prefix and denies one just past its boundary', async () => {
    const inside = explain(
      ...asAlice,
      '--action',
      'oss:PutObject',
      '--resource',
      `${BUCKET}/users/jwt.web.alice/a.png`,
    )
    expect(await inside.exited).toBe(0)
    expect(inside.stdout()).toContain(
      `allowed: oss:PutObject on ${BUCKET}/users/jwt.web.alice/a.png`,
    )
    expect(inside.stdout()).toContain(`role ceiling (${ROLE('avatars')}, from the config): Allow`)
    const past = explain(
      ...asAlice,
      '--action',
      'oss:PutObject',
      '--resource',
      `${BUCKET}/users/jwt.web.alicex/a.png`,
    )
    expect(await past.exited).toBe(1)
    expect(past.stdout()).toContain('denied: oss:PutObject')
    expect(past.stdout()).toContain('session policy: NotApplicable')
  })

  it('scopes ListObjects by its oss:Prefix condition only', async () => {
    const bare = explain(...asAlice, '--action', 'oss:ListObjects', '--resource', BUCKET)
    expect(await bare.exited).toBe(1)
    expect(bare.stdout()).toContain(
      'note: oss:ListObjects is scoped only by an oss:Prefix condition, and this request names no prefix',
    )
    const mine = explain(
      ...asAlice,
      '--action=oss:ListObjects',
      `--resource=${BUCKET}`,
      '--context',
      'oss:Prefix=users/jwt.web.alice/',
      '--json',
    )
    expect(await mine.exited).toBe(0)
    expect(JSON.parse(mine.stdout())).toEqual({
      allowed: true,
      verdict: 'allowed',
      profile: 'avatars',
      caller: { id: 'jwt.web.alice', kind: 'jwt', authority: 'web' },
      refused: null,
      request: {
        action: 'oss:ListObjects',
        resource: BUCKET,
        context: { 'oss:Prefix': ['users/jwt.web.alice/'] },
      },
      role: { arn: ROLE('avatars'), ceiling: 'config', decision: 'Allow' },
      session: { policy: 'rendered', decision: 'Allow' },
      oss: {
        scope: 'prefix-condition',
        prefixScoped: true,
        note: 'oss:ListObjects is confined by the oss:Prefix condition: the same listing without a prefix is refused',
      },
    })
  })

  it('flags a listing allowed without a prefix condition, and bucket-level operations', async () => {
    const lister = explain(
      '--profile',
      'lister',
      '--as',
      alice,
      '--action',
      'oss:ListObjects',
      '--resource',
      BUCKET,
    )
    expect(await lister.exited).toBe(0)
    expect(lister.stdout()).toContain(
      'note: oss:ListObjects is allowed without an oss:Prefix condition: the caller can list every object in the bucket',
    )
    const info = explain(
      ...asAlice,
      '--action',
      'oss:GetBucketInfo',
      '--resource',
      BUCKET,
      '--json',
    )
    expect(await info.exited).toBe(1)
    expect(JSON.parse(info.stdout())).toMatchObject({
      allowed: false,
      verdict: 'denied',
      oss: {
        scope: 'bucket',
        prefixScoped: false,
        note: expect.stringContaining('no prefix can scope it'),
      },
    })
  })

  it('labels a role whose permissions the config does not hold, and applies one it does', async () => {
    const unknown = explain(
      '--profile',
      'billing',
      '--as',
      billingApi,
      '--action',
      'oss:GetObject',
      '--resource',
      `${BUCKET}/a`,
    )
    expect(await unknown.exited).toBe(1)
    expect(unknown.stdout()).toContain(
      `role ceiling (${ROLE('billing')}): unknown — not in the config; nothing was evaluated`,
    )
    // `reports` sends no session policy; its role's ceiling comes from `partner`, which shares it.
    const ceiling = explain(
      '--profile',
      'reports',
      '--api-key',
      'acme',
      '--action',
      'oss:PutObject',
      '--resource',
      'acs:oss:*:*:partner-drop/key.acme/x',
      '--json',
    )
    expect(await ceiling.exited).toBe(1)
    expect(JSON.parse(ceiling.stdout())).toMatchObject({
      verdict: 'denied',
      role: { ceiling: 'config', decision: 'NotApplicable' },
      session: { policy: 'none', decision: null },
    })
  })

  it('says a refused caller is refused, before any evaluation (--json)', async () => {
    const cli = explain(
      '--profile',
      'avatars',
      '--as',
      bob,
      '--action',
      'oss:PutObject',
      '--resource',
      `${BUCKET}/users/jwt.web.bob/a`,
      '--json',
    )
    expect(await cli.exited).toBe(1)
    expect(JSON.parse(cli.stdout())).toMatchObject({
      allowed: false,
      verdict: 'refused',
      caller: { id: 'jwt.web.bob' },
      refused: { status: 404, code: 'ERR_NOT_FOUND' },
      role: null,
      session: null,
    })
  })

  it('is a usage error to give one parameter twice', async () => {
    const cli = explain(
      '--profile',
      'partner',
      '--api-key',
      'acme',
      '--param',
      'folder=a',
      '--param',
      'folder=b',
      '--action',
      'oss:GetObject',
      '--resource',
      `${BUCKET}/a`,
    )
    expect(await cli.exited).toBe(2)
    expect(cli.stderr()).toContain('--param folder is given twice')
  })

  it('is a usage error to name two callers', async () => {
    const cli = explain(
      '--profile',
      'partner',
      '--as',
      alice,
      '--api-key',
      'acme',
      '--action',
      'oss:GetObject',
      '--resource',
      `${BUCKET}/a`,
    )
    expect(await cli.exited).toBe(2)
    expect(cli.stderr()).toContain('exactly one of --as CLAIMS.json and --api-key ID')
  })

  it('takes the role ceiling that `credvend infra render` writes for the role', () => {
    const parsed = configSchema.parse(CONFIG)
    const files = renderInfra(parsed)
    for (const name of ['app', 'avatars', 'lister', 'partner']) {
      const written = files.find(
        (f) => f.path === `policies/roles/1234567890123456-${name}-permissions.json`,
      )
      expect(roleCeiling(parsed, ROLE(name))).toEqual(written?.json)
    }
    expect(roleCeiling(parsed, ROLE('billing'))).toBeUndefined()
    expect(files.some((f) => f.path.endsWith('-billing-permissions.json'))).toBe(false)
  })
})
