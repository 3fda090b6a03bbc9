/**
 * The trust-policy condition key that carries AssumeRole's ExternalId. Presumed, not confirmed by
 * a live account: it lives here only, so a live check changes one line.
 * @public
 */
export const EXTERNAL_ID_CONDITION_KEY = 'sts:ExternalId'

/**
 * Condition keys the evaluator understands. A policy naming any other key is rejected rather
 * than silently ignored: an ignored condition would grant more than its author meant.
 * Compared case-insensitively (assumed, as for AWS).
 * @public
 */
export const KNOWN_CONDITION_KEYS: ReadonlySet<string> = new Set(
  [
    EXTERNAL_ID_CONDITION_KEY,
    'sts:SourceIdentity',
    'sts:RoleSessionName',
    'acs:SourceIp',
    'acs:SecureTransport',
    'acs:CurrentTime',
    'acs:MFAPresent',
    'acs:SourceVpc',
    'acs:PrincipalARN',
    'oidc:iss',
    'oidc:aud',
    'oidc:sub',
    'saml:recipient',
    'oss:Prefix',
    'oss:Delimiter',
  ].map((k) => k.toLowerCase()),
)

/** @internal */
export const isKnownConditionKey = (key: string): boolean =>
  KNOWN_CONDITION_KEYS.has(key.toLowerCase())
