import type { OssUploadProfile } from '../config/schema.ts'

/**
 * RAM actions per preset, on objects under the caller's prefix. Initiate, UploadPart and Complete
 * are all covered by oss:PutObject, as the permission tables of the OSS API pages state
 * (https://help.aliyun.com/en/oss/developer-reference/initiatemultipartupload); there are no
 * separate actions.
 * @public
 */
export const OSS_PRESET_ACTIONS = {
  put: ['oss:PutObject'],
  multipart: ['oss:PutObject', 'oss:ListParts', 'oss:AbortMultipartUpload'],
  read: ['oss:GetObject'],
  delete: ['oss:DeleteObject'],
  list: [],
} as const satisfies Record<OssUploadProfile['actions'][number], readonly string[]>

/**
 * Keys under the prefix that are refused even though they match `prefix*`: a `..` segment, `%` or
 * `\`. OSS stores such names literally, but whatever later maps keys to paths (a CDN, ossfs, a
 * sync job) may normalise them into another user's folder.
 */
const hazardousKeys = (objects: string) => [
  `${objects}..`,
  `${objects}../*`,
  `${objects}*/..`,
  `${objects}*/../*`,
  `${objects}*%*`,
  `${objects}*\\*`,
  // A key with `:` gives its ARN a fifth colon, which a `*` in another caller's region or account
  // field could absorb (`acs:oss:*:*:b2/u/w/*` matches `acs:oss:r:a:b1/u/v/:b2/u/w/x`).
  'acs:oss:*:*:*:*',
]

/**
 * The session-policy template of an `oss-upload` profile, generated from its presets: object
 * actions on `bucket/prefix*`, ListObjects on the bucket only with an `oss:Prefix` condition on
 * the prefix (so a caller never lists another's), and a Deny for hazardous key shapes. Variables
 * stay as `${…}` and are rendered per caller by the ordinary template path.
 * @public
 */
export const ossSessionPolicyTemplate = (
  profile: Pick<OssUploadProfile, 'bucket' | 'prefix' | 'actions'>,
) => {
  const objects = `acs:oss:*:*:${profile.bucket}/${profile.prefix}`
  const actions = [...new Set(profile.actions.flatMap((preset) => OSS_PRESET_ACTIONS[preset]))]
  const statements: Array<Record<string, unknown>> = []
  if (actions.length > 0)
    statements.push({ Effect: 'Allow', Action: actions, Resource: [`${objects}*`] })
  if (profile.actions.includes('list')) {
    statements.push({
      Effect: 'Allow',
      Action: ['oss:ListObjects'],
      Resource: [`acs:oss:*:*:${profile.bucket}`],
      Condition: { StringLike: { 'oss:Prefix': [`${profile.prefix}*`] } },
    })
  }
  if (actions.length > 0)
    statements.push({ Effect: 'Deny', Action: actions, Resource: hazardousKeys(objects) })
  return { Version: '1', Statement: statements }
}
