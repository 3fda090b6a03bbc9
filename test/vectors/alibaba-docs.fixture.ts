/**
 * Published vectors, each named after its source: Alibaba's RPC and V3 signature docs
 * (https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature) and the
 * unit tests of aliyun/darabonba-openapi-util (`ts/test/client.spec.ts`,
 * `golang/service/service_test.go`) and aliyun/credentials-go
 * (`credentials/internal/utils/utils_test.go`).
 */

export const rpcDocVectors = [
  {
    name: 'TV-1 Alibaba RPC V2 doc example (ECS DescribeRegions)',
    method: 'GET',
    secret: 'testsecret',
    params: {
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      Format: 'XML',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      SignatureVersion: '1.0',
      Timestamp: '2016-02-23T12:46:24Z',
      Version: '2014-05-26',
    },
    stringToSign:
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    signature: 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=',
  },
  {
    name: 'TV-2 darabonba openapi-util getRPCSignature unit test (empty method)',
    method: '',
    secret: 'accessKeySecret',
    params: { test: 'ok' },
    stringToSign: '&%2F&test%3Dok',
    signature: 'jHx/oHoHNrbVfhncHEvPdHXZwHU=',
  },
] as const

export const hmacSha1DocVectors = [
  {
    name: 'TV-3 darabonba getROASignature',
    key: 'secret',
    data: 'stringtosign',
    base64: 'OmuTAr79tpI6CRoAdmzKRq5lHs0=',
  },
  {
    name: 'TV-4 credentials-go ShaHmac1 ASCII',
    key: 'secret',
    data: 'source',
    base64: 'Jv4yi8SobFhg5t1C7nWLbhBSFZQ=',
  },
  {
    name: 'TV-4 credentials-go ShaHmac1 UTF-8',
    key: 'secret',
    data: '中文',
    base64: 'CqCYIa39h9SSWuXnTz8F5hh9UPA=',
  },
] as const

export const acs3DocVectors = [
  {
    name: 'TV-5 Alibaba V3 doc example (ECS RunInstances)',
    input: {
      method: 'POST',
      pathname: '/',
      query: {
        ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd',
        RegionId: 'cn-shanghai',
      },
      headers: {
        host: 'ecs.cn-shanghai.aliyuncs.com',
        'x-acs-action': 'RunInstances',
        'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-acs-date': '2023-10-26T10:22:32Z',
        'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
        'x-acs-version': '2014-05-26',
      },
      hashedPayload: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    },
    accessKeyId: 'YourAccessKeyId',
    secret: 'YourAccessKeySecret',
    stringToSign:
      'ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259',
    authorization:
      'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
  },
  {
    name: 'TV-6 darabonba GetAuthorization Go unit test (duplicate headers merged)',
    input: {
      method: '',
      pathname: '/',
      query: { test: 'ok', empty: '' },
      headers: { 'x-acs-test': 'http', 'x-acs-TEST': 'https' },
      hashedPayload: '55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23',
    },
    accessKeyId: 'acesskey',
    secret: 'secret',
    stringToSign: undefined,
    authorization:
      'ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,Signature=4ab59fffe3c5738ff8a2729f90cc04fe18b02a4b15b2102cbaf92f9ff3df2ea3',
  },
] as const

export const sha256DocVectors = [
  {
    name: 'TV-7 darabonba hash helper',
    data: 'test',
    hex: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  },
] as const
