import * as z from '../zod.ts'
import { TEMPLATE_VALUE_PATTERN } from '../auth/caller-alphabet.ts'
import { RAM_PRINCIPAL } from '../partners/ram-principal.ts'
import { ROLE_ARN } from '../sts/schemas.ts'

/** A secret is never written in the file: it is a reference resolved at load. @public */
export const secretRef = z.union([
  z.strictObject({
    env: z.string().check(z.regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')),
  }),
  z.strictObject({ kmsSecret: z.string().check(z.minLength(1), z.maxLength(192)) }),
])
/** @public */
export type SecretRef = z.infer<typeof secretRef>

/**
 * Ids end up inside `caller.id` (`jwt.<id>.<sub>`), so they may not contain the `.` separator.
 * @public
 */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/
const id = z.string().check(z.regex(ID_PATTERN, 'lowercase letters, digits and -, at most 32'))

/** Asymmetric algorithms only: an HMAC key would have to be shared with the issuer. */
const JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const

/**
 * JWK members that only a private or secret key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1): a config
 * holding one has leaked a signing key into a file many people read.
 */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

const jwks = z.strictObject({
  keys: z.array(
    z
      .looseObject({ kty: z.string() })
      .check(
        z.refine(
          (key) => PRIVATE_JWK_MEMBERS.every((member) => !(member in key)),
          'a public key only: this key has private members (d, p, q, … or k); never put a signing key in the config',
        ),
      ),
  ),
})

const jwtIssuer = z
  .strictObject({
    id,
    issuer: z.url(),
    // Never STS's own audience: a token minted for AssumeRoleWithOIDC must not also open credvend.
    audience: z
      .union([
        z.string().check(z.minLength(1)),
        z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
      ])
      .check(
        z.refine(
          (a) => ![a].flat().includes('sts.aliyuncs.com'),
          "sts.aliyuncs.com is the RRSA audience for STS itself; project a token with credvend's own audience",
        ),
      ),
    /**
     * What this issuer's tokens are for. `login` (people signing in to an app): the `typ` header
     * is required, `JWT` unless `type` says otherwise (RFC 8725 §3.11). `workload` (platform
     * identity tokens such as ACK's projected service-account tokens, which carry no `typ`):
     * `typ` is checked only where `type` is set.
     */
    kind: z._default(z.enum(['login', 'workload']), 'login'),
    /** The pinned `typ` header. */
    type: z.optional(z.string().check(z.minLength(1))),
    /** Refuse tokens issued for longer than this (`exp` − `iat`), which then must carry `iat`. */
    maxTokenLifetimeSeconds: z.optional(z.int().check(z.minimum(60), z.maximum(31 * 86_400))),
    algorithms: z._default(z.array(z.enum(JWT_ALGORITHMS)).check(z.minLength(1)), [
      'RS256',
      'ES256',
    ]),
    jwksUri: z.optional(
      z
        .url()
        .check(
          z.refine(
            (u) =>
              u.startsWith('https://') ||
              /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//.test(u),
            'https, or http to loopback',
          ),
        ),
    ),
    jwks: z.optional(jwks),
    clockToleranceSeconds: z._default(z.int().check(z.minimum(0), z.maximum(300)), 30),
  })
  .check(
    z.refine(
      (j) => (j.jwksUri === undefined) !== (j.jwks === undefined),
      'exactly one of jwksUri and jwks',
    ),
  )

const digest = z.union([
  z.string().check(z.regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256 digest')),
  secretRef,
])

const apiKey = z.strictObject({
  id,
  /** Digests of `cvk_<id>_<secret>`; several while a key is being rotated. */
  sha256: z.array(digest).check(z.minLength(1), z.maxLength(4)),
  expires: z.optional(z.iso.datetime({ offset: false })),
  disabled: z._default(z.boolean(), false),
})

const ACCOUNT = /^\d{16}$/

const allowRule = z.union([
  z.strictObject({
    /** A caller that logged in with a signed GetCallerIdentity: exact account and role (name or RoleId). */
    alibaba: z
      .strictObject({
        account: z.string().check(z.regex(ACCOUNT, 'a 16-digit account id')),
        role: z.optional(z.string().check(z.regex(/^[A-Za-z0-9._@-]{1,64}$/))),
        roleId: z.optional(z.string().check(z.regex(/^\d{1,32}$/))),
      })
      .check(
        z.refine(
          (r) => (r.role === undefined) !== (r.roleId === undefined),
          'exactly one of role and roleId',
        ),
      ),
  }),
  z.strictObject({
    jwt: id,
    /** Exact, or a pattern where `*` matches any run of characters except `:` (one segment of a
     * service-account or CI subject, e.g. `system:serviceaccount:billing:*`). */
    sub: z.optional(
      z.string().check(
        z.minLength(1),
        z.refine((p) => !/\*\*|^\*$/.test(p), 'a sub pattern must keep a fixed part'),
      ),
    ),
    claims: z.optional(z.record(z.string(), z.string())),
  }),
  z.strictObject({ apiKey: id }),
])

const PATTERN_DEFAULT = TEMPLATE_VALUE_PATTERN
const variable = z.strictObject({ pattern: z._default(z.string(), PATTERN_DEFAULT) })

const duration = z.union([
  z.int().check(z.minimum(900), z.maximum(43_200)),
  z
    .strictObject({
      default: z.int().check(z.minimum(900), z.maximum(43_200)),
      max: z.int().check(z.minimum(900), z.maximum(43_200)),
    })
    .check(
      z.refine((d) => d.default <= d.max, { message: 'default exceeds max', path: ['default'] }),
    ),
])

/** An intermediate role credvend passes through on the way to the profile's role. */
const hop = z.strictObject({
  roleArn: z.string().check(z.regex(ROLE_ARN, 'a RAM role ARN')),
  externalId: z.optional(secretRef),
  /** A hub session serves many vends; role chaining caps it at one hour. */
  durationSeconds: z._default(z.int().check(z.minimum(900), z.maximum(3600)), 3600),
})

/** Fields every vending profile shares, whatever it vends. */
const profileCommon = {
  allow: z.array(allowRule).check(z.minLength(1)),
  roleArn: z.string().check(z.regex(ROLE_ARN, 'a RAM role ARN')),
  externalId: z.optional(secretRef),
  /**
   * Hub roles assumed in order before `roleArn` (credvend → hub → partner role), each from the
   * live credentials of the one before.
   */
  via: z._default(z.array(hop).check(z.maxLength(2)), []),
  /** Patterns for `${claims.NAME}` variables, keyed `claims.NAME`. */
  variables: z._default(
    z.record(z.string().check(z.regex(/^claims\.[A-Za-z0-9_]{1,64}$/)), variable),
    {},
  ),
  /** Request parameters a caller may send to narrow the grant, used as `${params.NAME}`. */
  parameters: z._default(
    z.record(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/)), variable),
    {},
  ),
  /** Role chaining above one hour is unconfirmed on STS; it must be asked for explicitly. */
  allowAboveOneHour: z._default(z.boolean(), false),
  /** `pseudonymous`: a keyed hash, so internal ids never reach a partner's audit trail. */
  sessionName: z._default(z.enum(['caller', 'pseudonymous']), 'caller'),
  sourceIdentity: z._default(z.boolean(), false),
  disabled: z._default(z.boolean(), false),
}

/**
 * A role profile's duration against its own flag and its hubs: rules between fields of one
 * profile, so they are reported at the field, whatever the rest of the file holds.
 */
const roleProfileRules = z.superRefine(
  (
    profile: {
      durationSeconds: z.output<typeof duration>
      allowAboveOneHour: boolean
      via: z.output<typeof hop>[]
    },
    ctx,
  ) => {
    const d = profile.durationSeconds
    const max = typeof d === 'number' ? d : d.max
    if (max > 3600 && !profile.allowAboveOneHour)
      ctx.addIssue({
        code: 'custom',
        path: ['durationSeconds'],
        message: 'above 3600 s needs allowAboveOneHour: true (role chaining limit unconfirmed)',
      })
    profile.via.forEach((hop, i) => {
      // A vended chain is served only while every link is valid: a hub shorter than the vend
      // would cut every vend short and turn each cache miss into STS calls.
      if (hop.durationSeconds < max)
        ctx.addIssue({
          code: 'custom',
          path: ['via', i, 'durationSeconds'],
          message: `a hub must last at least the profile's longest vend (${max} s)`,
        })
    })
  },
)

const stsProfile = z
  .strictObject({
    kind: z.literal('sts'),
    ...profileCommon,
    /** The session-policy template; `${…}` variables only in Resource and Condition values. */
    sessionPolicy: z.optional(z.record(z.string(), z.unknown())),
    durationSeconds: z._default(duration, 3600),
  })
  .check(roleProfileRules)

/** What an `oss-upload` caller may do under its prefix; each preset maps to RAM actions (lib/policy/oss-presets.ts). */
const OSS_PRESETS = ['put', 'multipart', 'list', 'read', 'delete'] as const

/** An exact origin: scheme, host and optional port, nothing else (no path, no wildcard). */
const origin = z
  .string()
  .check(
    z.regex(
      /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9a-f:]+\](:\d{1,5})?$/,
      'an exact origin such as https://app.example.com',
    ),
  )

const ossUploadProfile = z
  .strictObject({
    kind: z.literal('oss-upload'),
    ...profileCommon,
    bucket: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'an OSS bucket name')),
    /** The ali-oss form, e.g. `oss-cn-hangzhou`. */
    region: z
      .string()
      .check(z.regex(/^oss-[a-z]{2}-[a-z0-9-]+$/, 'an OSS region such as oss-cn-hangzhou')),
    /** Defaults to `https://<region>.aliyuncs.com`; plain http only to a loopback emulator. */
    endpoint: z.optional(
      z
        .url()
        .check(
          z.refine(
            (u) =>
              /^https:\/\/[a-z0-9.-]+(:\d+)?\/?$/.test(u) ||
              /^http:\/\/(127\.\d+\.\d+\.\d+|localhost)(:\d+)?\/?$/.test(u),
            'https://host, or http to a loopback emulator',
          ),
        ),
    ),
    /**
     * The caller's own prefix, e.g. `users/${caller.id}/`: relative to the bucket, ending in `/`,
     * scoped by a caller or claim variable, optionally narrowed by a declared `${params.NAME}`.
     */
    prefix: z.string().check(
      z.minLength(2),
      z.maxLength(512),
      z.regex(/^[^/\\*?%]/, 'must not start with /, \\ or a wildcard'),
      z.regex(/^[^*?%\\]*$/, 'no wildcards, % or \\ in the prefix'),
      z.regex(/\/$/, 'must end with /'),
      z.refine(
        (p) => /\$\{(caller\.(id|sub)|claims\.[A-Za-z0-9_]+)\}/.test(p),
        'must contain ${caller.id}, ${caller.sub} or a claim, so each caller gets its own prefix',
      ),
    ),
    actions: z.array(z.enum(OSS_PRESETS)).check(
      z.minLength(1),
      z.refine((a) => new Set(a).size === a.length, 'each preset once'),
    ),
    /** PostObject form limits; a profile with a form serves forms only unless `only: false`. */
    form: z.optional(
      z
        .strictObject({
          maxSizeBytes: z.int().check(z.minimum(1), z.maximum(5 * 1024 ** 3)),
          minSizeBytes: z._default(z.int().check(z.minimum(0)), 0),
          contentTypes: z.optional(
            z
              .array(
                z
                  .string()
                  .check(
                    z.regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9!#$&^_.+*-]+$/i, 'a MIME type'),
                  ),
              )
              .check(z.minLength(1), z.maxLength(32)),
          ),
          /** Refuse plain credentials, so the limits cannot be side-stepped with ali-oss. */
          only: z._default(z.boolean(), true),
          /**
           * The ACL every uploaded object gets, pinned in the signed policy so a browser cannot make
           * its object public: `private`, or `default` to follow the bucket's own ACL.
           */
          objectAcl: z._default(z.enum(['private', 'default']), 'private'),
          /**
           * Download headers pinned in the signed policy and returned in `Fields`, e.g.
           * `{ "Content-Disposition": "attachment" }`. OSS checks only the fields a policy names, so a
           * header left out here is the browser's to choose for its own object.
           */
          headers: z.optional(
            z.partialRecord(
              z.enum(['Cache-Control', 'Content-Disposition', 'Content-Encoding', 'Expires']),
              z
                .string()
                .check(
                  z.regex(/^[\x20-\x7e]{1,1024}$/, 'printable ASCII, at most 1,024 characters'),
                ),
            ),
          ),
        })
        .check(
          z.refine((f) => f.minSizeBytes <= f.maxSizeBytes, {
            message: 'minSizeBytes exceeds maxSizeBytes',
            path: ['minSizeBytes'],
          }),
        ),
    ),
    /** Browser origins allowed to call this profile (CORS, exact match). */
    corsOrigins: z._default(z.array(origin).check(z.maxLength(32)), []),
    durationSeconds: z._default(duration, 900),
  })
  .check(roleProfileRules)

/**
 * A KMS-rotated RAM AccessKey (a `RAMCredentials` secret), for systems that cannot use STS tokens.
 * Served by the internal function only.
 */
const accessKeyProfile = z.strictObject({
  kind: z.literal('access-key'),
  allow: z.array(allowRule).check(z.minLength(1)),
  secretName: z.string().check(z.regex(/^[\w/:.@-]{1,192}$/, 'a KMS secret name or ARN')),
  /** Re-read after this long when KMS names no next rotation. */
  maxTtlSeconds: z._default(z.int().check(z.minimum(60), z.maximum(86_400)), 3600),
  /** After NextRotationDate, wait this long, plus up to as much again of jitter, before re-reading. */
  rotationDelaySeconds: z._default(z.int().check(z.minimum(0), z.maximum(3600)), 300),
  /** How long a rotated-out key keeps working (the secret's overlap); 0 trusts nothing past the rotation. */
  overlapSeconds: z._default(z.int().check(z.minimum(0), z.maximum(7 * 86_400)), 0),
  /** At most one report-triggered refresh per this many seconds. */
  reportIntervalSeconds: z._default(z.int().check(z.minimum(1), z.maximum(3600)), 10),
  disabled: z._default(z.boolean(), false),
})

const profile = z.discriminatedUnion('kind', [stsProfile, ossUploadProfile, accessKeyProfile])

/** A token bucket: `perSecond` sustained, up to `burst` at once; `null` turns the limit off. */
const bucket = z.nullable(
  z.strictObject({
    perSecond: z.number().check(z.positive(), z.maximum(100_000)),
    burst: z.int().check(z.minimum(1), z.maximum(100_000)),
  }),
)

/** Generous for people and services that cache (the agent, the browser helper), tight on STS work. */
export const LIMIT_DEFAULTS = {
  perCaller: { perSecond: 20, burst: 40 },
  perCallerMisses: { perSecond: 1, burst: 10 },
  perSourceAddress: { perSecond: 50, burst: 100 },
  perSourceAddressLogins: { perSecond: 0.2, burst: 5 },
  trackedKeys: 100_000,
}

const limits = z.strictObject({
  /** Every authenticated request of one caller (vends, hits included, and reports). */
  perCaller: z._default(bucket, LIMIT_DEFAULTS.perCaller),
  /** Vends of one caller that need STS: a caller cannot spend the account's quota by varying its asks. */
  perCallerMisses: z._default(bucket, LIMIT_DEFAULTS.perCallerMisses),
  /**
   * Every /v1 request from one source address, before authentication, so token checks and
   * signed logins cannot be flooded. Off it only behind a proxy that hides client addresses.
   */
  perSourceAddress: z._default(bucket, LIMIT_DEFAULTS.perSourceAddress),
  /**
   * Signed logins from one source address, on top of `perSourceAddress`: each unauthenticated
   * login may cost an STS call, so a handful of addresses must not be able to spend the budget.
   */
  perSourceAddressLogins: z._default(bucket, LIMIT_DEFAULTS.perSourceAddressLogins),
  /** Memory bound of each limiter: keys not seen since the last sweep are forgotten first. */
  trackedKeys: z._default(
    z.int().check(z.minimum(100), z.maximum(1_000_000)),
    LIMIT_DEFAULTS.trackedKeys,
  ),
})

/**
 * Redis shared by every instance (Node and FC only): the credential cache, the STS governor, the
 * rate limits and the login nonces. Values are sealed (AES-256-GCM, the cache key as associated
 * data) and key names are HMACs, so Redis holds neither credentials nor caller ids in the clear.
 */
const redis = z.strictObject({
  /** `redis://` or `rediss://` (TLS); a reference, since a URL may carry a password. */
  url: secretRef,
  /** AUTH (Redis 6 ACL user and password); a password in the URL works as well. */
  username: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  password: z.optional(secretRef),
  /** `rediss://` verifies the server against the system roots, or this PEM bundle. */
  tls: z.optional(
    z.strictObject({
      ca: z.optional(secretRef),
      servername: z.optional(z.string().check(z.minLength(1), z.maxLength(253))),
    }),
  ),
  /**
   * Sealing keys (each resolves to at least 32 characters of secret). The first seals; all open,
   * so a new key goes first and the old one stays until the longest vend it sealed has expired.
   */
  keys: z
    .array(
      z.strictObject({
        id: z
          .string()
          .check(z.regex(/^[A-Za-z0-9_-]{1,16}$/, 'letters, digits, _ and -, at most 16')),
        secret: secretRef,
      }),
    )
    .check(
      z.minLength(1),
      z.maxLength(4),
      z.refine((k) => new Set(k.map((e) => e.id)).size === k.length, 'each key id once'),
    ),
  /** Every name credvend writes starts with this, so deployments can share one Redis. */
  keyPrefix: z._default(z.string().check(z.regex(/^[A-Za-z0-9:_.-]{0,64}$/)), 'credvend:'),
  /** A command slower than this counts as Redis being down for the request that sent it. */
  commandTimeoutMs: z._default(z.int().check(z.minimum(10), z.maximum(5_000)), 250),
  /**
   * How many instances may run at once (FC's instance limit). While Redis is unreachable each
   * instance governs alone at `sts.maxCallsPerSecond / maxInstances`, so together they stay
   * under the quota.
   */
  maxInstances: z._default(z.int().check(z.minimum(1), z.maximum(10_000)), 10),
})

/** What all `sts.lanes.priority` shares may add up to: the rest stays for every other lane. */
const PRIORITY_SHARES = 0.8

/**
 * The credvend configuration. Strict everywhere: an unknown key is a typo, and a
 * typo in a security configuration must stop the process rather than be ignored.
 * @public
 */
export const configSchema = z
  .strictObject({
    $schema: z.optional(z.string()),
    region: z.string().check(z.regex(/^[a-z]{2}-[a-z0-9-]+$/)),
    sts: z.strictObject({
      endpoint: z
        .url()
        .check(
          z.refine(
            (u) =>
              /^https:\/\/sts(-vpc)?(\.[a-z0-9-]+)?\.aliyuncs\.com\/?$/.test(u) ||
              /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost)(:\d+)?\/?$/.test(u),
            'https://sts[-vpc].<region>.aliyuncs.com, or a loopback emulator',
          ),
        ),
      signature: z._default(z.enum(['rpc-hmac-sha1', 'acs3-hmac-sha256']), 'rpc-hmac-sha1'),
      timeoutMs: z._default(z.int().check(z.minimum(100), z.maximum(30_000)), 5_000),
      /**
       * Calls started in any one-second window, counting every call this instance makes. STS
       * allows about 100 per second per account; higher values only make sense against an
       * emulator or in a benchmark.
       */
      maxCallsPerSecond: z._default(z.int().check(z.minimum(1), z.maximum(100_000)), 80),
      /**
       * Fair shares of that budget. Calls queue in lanes (one per JWT issuer, API key, Alibaba
       * account, one for signed logins) and take turns; a lane may hold at most `maxShare` of
       * what the budget serves within `upstream.deadlineMs`, and signed logins, which anyone can
       * send, never use more than `loginShare` of the rate.
       */
      lanes: z._default(
        z.strictObject({
          maxShare: z._default(z.number().check(z.gt(0), z.maximum(1)), 0.5),
          loginShare: z._default(z.number().check(z.gt(0), z.maximum(1)), 0.1),
          /**
           * A minimum share of the rate for named profiles (internal services, say), so a burst
           * elsewhere cannot delay them: profile name → share, e.g. `{ "svc": 0.3 }`. A listed
           * profile's cache misses queue in a lane of their own, `profile:<name>`, whoever the
           * caller, and while that lane has calls waiting it gets at least its share of the STS
           * slots (more only on its round-robin turns); while it is idle, every other lane gets
           * the whole budget. Only role profiles (`sts`, `oss-upload`) can be listed, and the
           * shares together may not exceed 0.8: the rest stays for the other lanes, credvend's
           * own calls included. The lane is one queue for every caller the profile allows: list
           * profiles of internal callers, not one open to a whole issuer of browser users.
           */
          priority: z._default(
            z.record(z.string(), z.number().check(z.gt(0), z.maximum(PRIORITY_SHARES))),
            {},
          ),
        }),
        { maxShare: 0.5, loginShare: 0.1, priority: {} },
      ),
    }),
    callers: z.strictObject({
      jwt: z._default(z.array(jwtIssuer), []),
      apiKeys: z._default(z.array(apiKey), []),
      /**
       * Login with a signed STS GetCallerIdentity (`POST /v1/session/alibaba`). Off by default:
       * binding a signed request to one credvend deployment is unconfirmed against live STS.
       */
      alibaba: z.optional(
        z.strictObject({
          enabled: z._default(z.boolean(), false),
          accounts: z
            .array(z.string().check(z.regex(ACCOUNT, 'a 16-digit account id')))
            .check(z.minLength(1)),
          /** HMAC key for the session tokens credvend issues (shared by every instance). */
          sessionTokenKey: secretRef,
          sessionMinutes: z._default(z.int().check(z.minimum(1), z.maximum(60)), 15),
          /** credvend's own timestamp window for signed logins, tighter than STS's. */
          windowSeconds: z._default(z.int().check(z.minimum(30), z.maximum(900)), 300),
        }),
      ),
    }),
    /**
     * credvend's own RAM identity (the role its function runs as), which profile roles — or their
     * first hub — trust. Only used to render trust policies; the running identity comes from the
     * source-credential chain.
     */
    sourcePrincipal: z.optional(
      z
        .string()
        .check(z.regex(RAM_PRINCIPAL, 'a RAM principal ARN (acs:ram::<account>:role/<name>)')),
    ),
    /** Key for pseudonymous session names (HMAC-SHA256); required if any profile uses them. */
    sessionNameKey: z.optional(secretRef),
    profiles: z.record(
      z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and -')),
      profile,
    ),
    limits: z._default(limits, LIMIT_DEFAULTS),
    cache: z._default(
      z.strictObject({
        maxEntries: z._default(z.int().check(z.minimum(1), z.maximum(1_000_000)), 10_000),
      }),
      { maxEntries: 10_000 },
    ),
    upstream: z._default(
      z.strictObject({
        attempts: z._default(z.int().check(z.minimum(1), z.maximum(6)), 3),
        deadlineMs: z._default(z.int().check(z.minimum(100), z.maximum(60_000)), 10_000),
        backoffBaseMs: z._default(z.int().check(z.minimum(1), z.maximum(5_000)), 100),
        backoffCapMs: z._default(z.int().check(z.minimum(1), z.maximum(30_000)), 2_000),
        circuitFailures: z._default(z.int().check(z.minimum(1), z.maximum(100)), 5),
        circuitCooldownMs: z._default(z.int().check(z.minimum(100), z.maximum(600_000)), 30_000),
      }),
      {
        attempts: 3,
        deadlineMs: 10_000,
        backoffBaseMs: 100,
        backoffCapMs: 2_000,
        circuitFailures: 5,
        circuitCooldownMs: 30_000,
      },
    ),
    /** KMS Secrets Manager, for access-key profiles and `{ kmsSecret }` references. */
    kms: z.optional(
      z.strictObject({
        /** `https://kms.<region>.aliyuncs.com`, `https://kms-vpc.<region>.aliyuncs.com`, or a loopback emulator. */
        endpoint: z
          .url()
          .check(
            z.refine(
              (u) =>
                /^https:\/\/kms(-vpc)?\.[a-z0-9-]+\.aliyuncs\.com\/?$/.test(u) ||
                /^https:\/\/[a-z0-9.-]+\.cryptoservice\.kms\.aliyuncs\.com\/?$/.test(u) ||
                /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost)(:\d+)?\/?$/.test(u),
              'https://kms[-vpc].<region>.aliyuncs.com, or a loopback emulator',
            ),
          ),
        timeoutMs: z._default(z.int().check(z.minimum(100), z.maximum(30_000)), 5_000),
      }),
    ),
    /**
     * This deployment is the internal function (or local mode): it serves /openapi.json,
     * /metrics and access-key profiles. The public function leaves it off.
     */
    exposeInternalRoutes: z._default(z.boolean(), false),
    redis: z.optional(redis),
    /**
     * Watches every profile with an `externalId` (a partner's role) for trust drift: the
     * `partner check` probes, run at most once per `intervalSeconds` when the runtime's timer or
     * cron trigger asks. `refuseWhenLoose` stops vending a profile whose role accepted an
     * AssumeRole without the ExternalId or with a wrong one, until a check finds it safe again.
     */
    partnerTrust: z.optional(
      z.strictObject({
        intervalSeconds: z._default(z.int().check(z.minimum(60), z.maximum(86_400)), 300),
        refuseWhenLoose: z._default(z.boolean(), false),
      }),
    ),
  })
  .check(
    z.superRefine(
      (config, ctx) => {
        // These rules run beside every other problem of the file, so one run reports them all.
        // Each reads only parts that parsed (a part without an aborting issue at, above or below
        // it); where a part it needs has problems of its own, it says nothing.
        const broken = ctx.issues.filter((i) => i.continue !== true).map((i) => i.path ?? [])
        const overlaps = (path: PropertyKey[], b: PropertyKey[]) =>
          b.every((p, i) => i >= path.length || p === path[i])
        const intact = (...path: PropertyKey[]) => !broken.some((b) => overlaps(path, b))
        // The value at `path` has its type (its own members may still have problems).
        const present = (...path: PropertyKey[]) =>
          !broken.some((b) => b.length <= path.length && overlaps(path, b))
        if (!present('profiles')) return
        const ids = <T>(section: 'jwt' | 'apiKeys' | 'alibaba', read: () => T[] | undefined) =>
          intact('callers', section) ? new Set(read()) : undefined
        const jwtIds = ids('jwt', () => config.callers.jwt.map((j) => j.id))
        const keyIds = ids('apiKeys', () => config.callers.apiKeys.map((k) => k.id))
        const accounts = ids('alibaba', () => config.callers.alibaba?.accounts)
        const known = (rule: z.output<typeof allowRule>) =>
          'jwt' in rule
            ? jwtIds?.has(rule.jwt)
            : 'apiKey' in rule
              ? keyIds?.has(rule.apiKey)
              : accounts?.has(rule.alibaba.account)
        for (const [name, profile] of Object.entries(config.profiles)) {
          // A kind that parsed picked its branch; a bad one leaves the raw value.
          if (!present('profiles', name, 'kind')) continue
          if (present('profiles', name, 'allow'))
            profile.allow.forEach((rule, i) => {
              if (intact('profiles', name, 'allow', i) && known(rule) === false)
                ctx.addIssue({
                  code: 'custom',
                  path: ['profiles', name, 'allow', i],
                  message: 'names a caller that is not configured',
                })
            })
          if (profile.kind === 'access-key' && intact('kms') && !config.kms)
            ctx.addIssue({
              code: 'custom',
              path: ['profiles', name, 'kind'],
              message: 'access-key profiles need the kms section (its endpoint)',
            })
          if (
            profile.kind !== 'access-key' &&
            intact('profiles', name, 'sessionName') &&
            profile.sessionName === 'pseudonymous' &&
            intact('sessionNameKey') &&
            !config.sessionNameKey
          )
            ctx.addIssue({
              code: 'custom',
              path: ['profiles', name, 'sessionName'],
              message: 'pseudonymous session names need sessionNameKey',
            })
        }
        if (present('sts', 'lanes', 'priority')) {
          let total = 0
          for (const [name, share] of Object.entries(config.sts.lanes.priority)) {
            if (!intact('sts', 'lanes', 'priority', name)) continue
            const path = ['sts', 'lanes', 'priority', name]
            if (!Object.hasOwn(config.profiles, name))
              ctx.addIssue({
                code: 'custom',
                path,
                message: 'names a profile that is not configured',
              })
            else if (
              present('profiles', name, 'kind') &&
              config.profiles[name]!.kind === 'access-key'
            )
              ctx.addIssue({
                code: 'custom',
                path,
                message: 'an access-key profile makes no STS calls: it needs no share',
              })
            // A share out of range has its own problem; the sum is said once, at the share that
            // takes it over (a float's last bit aside).
            if (!(share > 0 && share <= PRIORITY_SHARES)) continue
            total += share
            if (total > PRIORITY_SHARES + 1e-9 && total - share <= PRIORITY_SHARES + 1e-9)
              ctx.addIssue({
                code: 'custom',
                path,
                message: `the shares add up to more than ${PRIORITY_SHARES}: the rest of the rate must stay for every other lane, credvend's own calls included`,
              })
          }
        }
      },
      { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
    ),
  )

/** @public */
export type ConfigInput = z.input<typeof configSchema>
/** @public */
export type Config = z.output<typeof configSchema>
/** @public */
export type Profile = Config['profiles'][string]
/** @public */
export type StsProfile = Extract<Profile, { kind: 'sts' }>
/** Profiles that vend STS credentials through a role. @public */
export type RoleProfile = Exclude<Profile, { kind: 'access-key' }>
/** @public */
export type AccessKeyProfile = Extract<Profile, { kind: 'access-key' }>
/** @public */
export type OssUploadProfile = Extract<Profile, { kind: 'oss-upload' }>
/** @public */
export type JwtIssuerConfig = Config['callers']['jwt'][number]
/** @public */
export type ApiKeyConfig = Config['callers']['apiKeys'][number]
/** @public */
export type AllowRule = Profile['allow'][number]
