import type { JSONWebKeySet } from 'jose'
import { toBase64 } from '../crypto/encoding.ts'
import { parsePolicyDocument, type PolicyDocument, type PolicyKind } from './policy/document.ts'
import { randomAlnum, randomDigits, type EmulatorDeps } from './emulator-deps.ts'

/** A RAM user of one account. @internal */
export interface UserRecord {
  readonly kind: 'user'
  readonly accountId: string
  readonly userName: string
  readonly userId: string
  readonly policies: readonly PolicyDocument[]
}

/** A RAM role with its trust policy, permission policies and session cap. @internal */
export interface RoleRecord {
  readonly accountId: string
  readonly roleName: string
  readonly roleId: string
  readonly arn: string
  readonly trustPolicy: PolicyDocument
  readonly policies: readonly PolicyDocument[]
  readonly maxSessionDuration: number
}

/** An issued STS session: the credentials and what they may do. @internal */
export interface SessionRecord {
  readonly kind: 'session'
  readonly accountId: string
  readonly role: RoleRecord
  readonly sessionName: string
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken: string
  readonly expiresAt: Date
  readonly sessionPolicy: PolicyDocument | undefined
  /** The Policy parameter exactly as received, for conformance checks. */
  readonly sessionPolicyText: string | undefined
  readonly sourceIdentity: string | undefined
}

/** An OIDC identity provider registered in RAM. @internal */
export interface OidcProviderRecord {
  readonly arn: string
  readonly issuer: string
  readonly clientIds: readonly string[]
  readonly jwks: JSONWebKeySet
}

/** Who holds an AccessKey. @internal */
export type Principal = UserRecord | SessionRecord

/** A policy the emulator's RAM refused to store, as CreateRole/CreatePolicy would. @public */
export class MalformedPolicyError extends Error {
  override readonly name = 'MalformedPolicyError'
  readonly code = 'MalformedPolicyDocument'
  readonly problems: readonly string[]

  constructor(problems: readonly string[]) {
    super(`MalformedPolicyDocument: ${problems.join('; ')}`)
    this.problems = problems
  }
}

const mustParse = (policy: unknown, kind: PolicyKind): PolicyDocument => {
  const parsed = parsePolicyDocument(policy, kind)
  if (!parsed.ok) throw new MalformedPolicyError(parsed.problems)
  return parsed.policy
}

/**
 * The emulator's RAM: accounts, users with AccessKeys, roles, OIDC providers and issued STS
 * sessions. Policies are grammar-checked on the way in, unknown condition keys included.
 * @public
 */
export const createWorld = (deps: EmulatorDeps) => {
  const accessKeys = new Map<string, { secret: string; principal: Principal; notAfter?: Date }>()
  const roles = new Map<string, RoleRecord>()
  const providers = new Map<string, OidcProviderRecord>()
  const sessionsByToken = new Map<string, SessionRecord>()

  const roleKey = (accountId: string, roleName: string) => `${accountId}:${roleName.toLowerCase()}`

  return {
    /** A new account id; `fixed` for demo worlds whose ids appear in reviewed files. */
    createAccount: (fixed?: string): string => fixed ?? randomDigits(deps, 16),

    createUser(
      accountId: string,
      userName: string,
      options: { policies?: readonly unknown[] } = {},
    ) {
      const user: UserRecord = {
        kind: 'user',
        accountId,
        userName,
        userId: randomDigits(deps, 16),
        policies: (options.policies ?? []).map((p) => mustParse(p, 'identity')),
      }
      const accessKeyId = `LTAI5t${randomAlnum(deps, 18)}`
      const accessKeySecret = randomAlnum(deps, 30)
      accessKeys.set(accessKeyId, { secret: accessKeySecret, principal: user })
      return { ...user, accessKeyId, accessKeySecret }
    },

    createRole(
      accountId: string,
      roleName: string,
      options: { trustPolicy: unknown; policies?: readonly unknown[]; maxSessionDuration?: number },
    ): RoleRecord {
      const role: RoleRecord = {
        accountId,
        roleName,
        roleId: randomDigits(deps, 19),
        arn: `acs:ram::${accountId}:role/${roleName.toLowerCase()}`,
        trustPolicy: mustParse(options.trustPolicy, 'trust'),
        policies: (options.policies ?? []).map((p) => mustParse(p, 'identity')),
        maxSessionDuration: options.maxSessionDuration ?? 3600,
      }
      roles.set(roleKey(accountId, roleName), role)
      return role
    },

    /**
     * RAM's UpdateRole with a new trust policy: sessions already issued stay valid; the next
     * AssumeRole is judged by the new policy.
     */
    updateRoleTrust(accountId: string, roleName: string, trustPolicy: unknown): RoleRecord {
      const key = roleKey(accountId, roleName)
      const role = roles.get(key)
      if (!role) throw new Error(`no role ${roleName} in ${accountId}`)
      const updated = { ...role, trustPolicy: mustParse(trustPolicy, 'trust') }
      roles.set(key, updated)
      return updated
    },

    createOidcProvider(accountId: string, name: string, options: Omit<OidcProviderRecord, 'arn'>) {
      const provider = { ...options, arn: `acs:ram::${accountId}:oidc-provider/${name}` }
      providers.set(provider.arn, provider)
      return provider
    },

    findRole: (accountId: string, roleName: string) => roles.get(roleKey(accountId, roleName)),
    findOidcProvider: (arn: string) => providers.get(arn),
    /** A key past its `notAfter` (a rotated-out RAM key) no longer exists, for STS and OSS alike. */
    findAccessKey: (accessKeyId: string) => {
      const key = accessKeys.get(accessKeyId)
      return key && (!key.notAfter || deps.now().getTime() < key.notAfter.getTime())
        ? key
        : undefined
    },

    /** A new AccessKey for an existing RAM user (what KMS rotation creates). */
    addAccessKey(user: UserRecord) {
      const accessKeyId = `LTAI5t${randomAlnum(deps, 18)}`
      const accessKeySecret = randomAlnum(deps, 30)
      accessKeys.set(accessKeyId, { secret: accessKeySecret, principal: user })
      return { accessKeyId, accessKeySecret }
    },

    /** The key stops working at `at` (now, for an overlap of 0). */
    retireAccessKey(accessKeyId: string, at: Date) {
      const key = accessKeys.get(accessKeyId)
      if (key) key.notAfter = at
    },
    findSession: (accessKeyId: string) => {
      const principal = accessKeys.get(accessKeyId)?.principal
      return principal?.kind === 'session' ? principal : undefined
    },
    findSessionByToken: (token: string) => sessionsByToken.get(token),

    /** Every secret and token this world has handed out, so tests can prove none leaks. */
    issuedSecrets: (): string[] => [
      ...[...accessKeys.values()].map((k) => k.secret),
      ...sessionsByToken.keys(),
    ],

    /** The RoleSessionName of every session issued so far: tests count calls by who they were for. */
    issuedSessionNames: (): string[] => [...sessionsByToken.values()].map((s) => s.sessionName),

    /** Mints STS credentials of realistic shape: `STS.` ids, tokens over 1,000 characters. */
    issueSession(
      role: RoleRecord,
      init: {
        sessionName: string
        durationSeconds: number
        sessionPolicy?: PolicyDocument
        sessionPolicyText?: string
        sourceIdentity?: string
      },
    ): SessionRecord {
      const session: SessionRecord = {
        kind: 'session',
        accountId: role.accountId,
        role,
        sessionName: init.sessionName,
        accessKeyId: `STS.${randomAlnum(deps, 25)}`,
        accessKeySecret: randomAlnum(deps, 44),
        securityToken: `CAIS${toBase64(deps.randomBytes(780))}`,
        expiresAt: new Date(deps.now().getTime() + init.durationSeconds * 1000),
        sessionPolicy: init.sessionPolicy,
        sessionPolicyText: init.sessionPolicyText,
        sourceIdentity: init.sourceIdentity,
      }
      accessKeys.set(session.accessKeyId, { secret: session.accessKeySecret, principal: session })
      sessionsByToken.set(session.securityToken, session)
      return session
    },
  }
}

/** @public */
export type World = ReturnType<typeof createWorld>
