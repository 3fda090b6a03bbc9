import type { SignatureScheme } from '../../../../lib/openapi/signed-request.ts'
import { expectAccepted, expectRefused } from './expect-answer.ts'
import { skipped, type LiveCase } from './live-case.ts'
import { assumeLiveRole, getLiveSecret } from './live-calls.ts'
import { LIVE_ENV } from './live-target.ts'

const ROWS: Readonly<Record<SignatureScheme, string>> = {
  'rpc-hmac-sha1': 'RPC v1.0 (HMAC-SHA1) signature',
  'acs3-hmac-sha256': "ACS3 with a form body (credvend's own client)",
}
const STATUS_ROW = 'HTTP statuses of gateway errors'
const KMS_ROW = '`GetSecretValue` (2016-01-20) over RPC v1.0 or ACS3'
const SCHEMES: readonly SignatureScheme[] = ['rpc-hmac-sha1', 'acs3-hmac-sha256']

/** AssumeRole, not GetCallerIdentity: only a call with a form body tests that its hash is signed. */
const stsAccepts = (scheme: SignatureScheme): LiveCase => ({
  id: `sts/${scheme}`,
  row: ROWS[scheme],
  run: async (ctx) => expectAccepted(await assumeLiveRole(ctx, {}, { scheme })),
})

/** Signed with the right key id and a wrong secret: a well-formed request whose signature is wrong. */
const stsRefusesWrongSignature = (scheme: SignatureScheme): LiveCase => ({
  id: `sts/${scheme}/wrong-signature`,
  row: STATUS_ROW,
  run: async (ctx) => {
    const credentials = {
      ...ctx.target.credentials,
      accessKeySecret: `${ctx.target.credentials.accessKeySecret}x`,
    }
    return expectRefused(
      await assumeLiveRole(ctx, {}, { scheme, credentials }),
      'SignatureDoesNotMatch',
    )
  },
})

const kmsAccepts = (scheme: SignatureScheme): LiveCase => ({
  id: `kms/${scheme}`,
  row: KMS_ROW,
  run: async (ctx) => {
    const name = ctx.target.kmsSecret
    if (name === undefined) return skipped(`${LIVE_ENV.kmsSecret} is not set`)
    return expectAccepted(await getLiveSecret(ctx, name, 'ACSCurrent', scheme))
  },
})

/** Group 2: both schemes credvend signs with, on STS and on KMS, and a wrong signature on STS. */
export const signatureCases: readonly LiveCase[] = [
  ...SCHEMES.map(stsAccepts),
  ...SCHEMES.map(stsRefusesWrongSignature),
  ...SCHEMES.map(kmsAccepts),
]
