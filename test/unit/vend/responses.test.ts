import { describe, expect, it } from 'vitest'
import {
  credentialsBody,
  postObjectBody,
  uploadBody,
  uploadPlace,
} from '../../../lib/vend/responses.ts'
import type { PostObjectForm } from '../../../lib/vend/post-object.ts'
import type { Granted } from '../../../lib/vend/vend-entry.ts'

const granted = (policySha256: string | undefined): Granted => ({
  accessKeyId: 'STS.1',
  accessKeySecret: 'secret-1',
  securityToken: 'token-1',
  expiration: new Date('2026-11-22T11:00:00.123Z'),
  roleSessionName: 'jwt.web.alice',
  roleArn: 'acs:ram::1:role/app',
  policySha256,
  durationSeconds: 3600,
  stsRequestId: 'REQ-1',
})
const now = new Date('2026-11-22T10:00:00Z')
const refreshAfter = new Date('2026-11-22T10:30:00Z')
const place = uploadPlace({ bucket: 'photos', region: 'oss-cn-hangzhou' }, 'users/alice/')
const times = {
  Expiration: '2026-11-22T11:00:00Z',
  ServerTime: '2026-11-22T10:00:00Z',
  RefreshAfter: '2026-11-22T10:30:00Z',
}
const sha = 'a'.repeat(64)

/** What the route sends: the body through JSON, keys in order. */
const sent = (body: unknown) => Object.entries(JSON.parse(JSON.stringify(body)))

describe('vend response bodies', () => {
  it('credentials: the credentials-URI fields in order; PolicySha256 only with a session policy', () => {
    const keys = { AccessKeyId: 'STS.1', AccessKeySecret: 'secret-1', SecurityToken: 'token-1' }
    expect(sent(credentialsBody(granted(sha), refreshAfter, now))).toEqual(
      Object.entries({
        Code: 'Success',
        ...keys,
        ...times,
        RoleSessionName: 'jwt.web.alice',
        PolicySha256: sha,
      }),
    )
    expect(sent(credentialsBody(granted(undefined), refreshAfter, now))).toEqual(
      Object.entries({ Code: 'Success', ...keys, ...times, RoleSessionName: 'jwt.web.alice' }),
    )
  })

  it('upload: the credentials, then where to upload', () => {
    expect(sent(uploadBody(granted(sha), refreshAfter, now, place)).map(([k]) => k)).toEqual([
      'Code',
      'AccessKeyId',
      'AccessKeySecret',
      'SecurityToken',
      'Expiration',
      'ServerTime',
      'RefreshAfter',
      'RoleSessionName',
      'PolicySha256',
      'Bucket',
      'Region',
      'Endpoint',
      'Prefix',
    ])
    expect(place).toEqual({
      Bucket: 'photos',
      Region: 'oss-cn-hangzhou',
      Endpoint: 'https://oss-cn-hangzhou.aliyuncs.com',
      Prefix: 'users/alice/',
    })
  })

  it('form: the times and names and where to upload, the signed form, and no key at all', () => {
    const form = { Url: 'https://photos.example', KeyPrefix: 'users/alice/' } as PostObjectForm
    const body = sent(postObjectBody(granted(sha), refreshAfter, now, place, form))
    expect(body).toEqual(
      Object.entries({
        Code: 'Success',
        ...times,
        RoleSessionName: 'jwt.web.alice',
        PolicySha256: sha,
        ...place,
        PostObject: form,
      }),
    )
  })
})
