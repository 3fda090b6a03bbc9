/**
 * OSS signer vectors from the official Go SDK v2 tests (aliyun/alibabacloud-oss-go-sdk-v2
 * oss/signer/signer_test.go, commit 2b9cff985532831a4438d6d79d1be41f90c1fb18), named after their
 * test function. TV-8 is `TestV4AuthHeader`; the Python, Kotlin and ObjC v2 SDKs test the same
 * vector.
 * Header names are lowercased here, as an HTTP server hands them over.
 */

/** The request every TestV4AuthHeader* case signs; only time, credentials and extras vary. */
const tv8Request = {
  method: 'PUT',
  bucket: 'bucket',
  key: '1234+-/123/1.txt',
  query: [
    ['param1', 'value1'],
    ['+param1', 'value3'],
    ['|param1', 'value4'],
    ['+param2', ''],
    ['|param2', ''],
    ['param2', ''],
  ] as [string, string][],
  headers: {
    'x-oss-head1': 'value',
    abc: 'value',
    zabc: 'value',
    xyz: 'value',
    'content-type': 'text/plain',
    'x-oss-content-sha256': 'UNSIGNED-PAYLOAD',
  },
}

export const ossV4GoVectors = [
  {
    name: 'TV-8 TestV4AuthHeader',
    ...tv8Request,
    accessKeyId: 'ak',
    secret: 'sk',
    region: 'cn-hangzhou',
    datetime: '20231216T162057Z', // time.Unix(1702743657)
    extraHeaders: {},
    additionalHeaders: [],
    canonicalRequest:
      'PUT\n/bucket/1234%2B-/123/1.txt\n%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2\ncontent-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T162057Z\nx-oss-head1:value\n\n\nUNSIGNED-PAYLOAD',
    stringToSign:
      'OSS4-HMAC-SHA256\n20231216T162057Z\n20231216/cn-hangzhou/oss/aliyun_v4_request\nf4613657f1b108998e8dbd10a1aa5da621dc2c6e02c9ddec0f163664848704c4',
    authorization:
      'OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature=e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe',
  },
  {
    name: 'TV-8 TestV4AuthHeaderToken (STS: x-oss-security-token is signed)',
    ...tv8Request,
    accessKeyId: 'ak',
    secret: 'sk',
    region: 'cn-hangzhou',
    datetime: '20231217T034736Z', // time.Unix(1702784856)
    extraHeaders: { 'x-oss-security-token': 'token' },
    additionalHeaders: [],
    canonicalRequest: undefined,
    stringToSign: undefined,
    authorization:
      'OSS4-HMAC-SHA256 Credential=ak/20231217/cn-hangzhou/oss/aliyun_v4_request,Signature=b94a3f999cf85bcdc00d332fbd3734ba03e48382c36fa4d5af5df817395bd9ea',
  },
  {
    name: 'TestV4AuthHeaderWithAdditionalHeaders',
    ...tv8Request,
    accessKeyId: 'ak',
    secret: 'sk',
    region: 'cn-hangzhou',
    datetime: '20231216T172512Z', // time.Unix(1702747512)
    extraHeaders: {},
    additionalHeaders: ['ZAbc', 'abc'],
    canonicalRequest: undefined,
    stringToSign: undefined,
    authorization:
      'OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=abc;zabc,Signature=4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f',
  },
  {
    name: 'TestV4AuthHeaderWithAdditionalHeaders (default-signed and absent names dropped)',
    ...tv8Request,
    accessKeyId: 'ak',
    secret: 'sk',
    region: 'cn-hangzhou',
    datetime: '20231216T172512Z',
    extraHeaders: {},
    additionalHeaders: ['x-oss-no-exist', 'ZAbc', 'x-oss-head1', 'abc'],
    canonicalRequest: undefined,
    stringToSign: undefined,
    authorization:
      'OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=abc;zabc,Signature=4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f',
  },
] as const

/** TestV1AuthHeader cases 1 and 2 (3 and 4 add a caller-chosen sub-resource, resourceGroup). */
export const ossV1GoVectors = [
  {
    name: 'TestV1AuthHeader case 1',
    method: 'PUT',
    bucket: 'examplebucket',
    key: 'nelson',
    query: [] as [string, string][],
    headers: {
      'content-md5': 'eB5eJF1ptWaXm4bijSPyxw==',
      'content-type': 'text/html',
      'x-oss-meta-author': 'alice',
      'x-oss-meta-magic': 'abracadabra',
      'x-oss-date': 'Wed, 28 Dec 2022 10:27:41 GMT',
      date: 'Wed, 28 Dec 2022 10:27:41 GMT',
    },
    secret: 'sk',
    stringToSign:
      'PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson',
    authorization: 'OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=',
  },
  {
    name: 'TestV1AuthHeader case 2 (?acl)',
    method: 'PUT',
    bucket: 'examplebucket',
    key: 'nelson',
    query: [['acl', '']] as [string, string][],
    headers: {
      'content-md5': 'eB5eJF1ptWaXm4bijSPyxw==',
      'content-type': 'text/html',
      'x-oss-meta-author': 'alice',
      'x-oss-meta-magic': 'abracadabra',
      'x-oss-date': 'Wed, 28 Dec 2022 10:27:41 GMT',
      date: 'Wed, 28 Dec 2022 10:27:41 GMT',
    },
    secret: 'sk',
    stringToSign:
      'PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson?acl',
    authorization: 'OSS ak:/afkugFbmWDQ967j1vr6zygBLQk=',
  },
] as const
