import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import { randomRequestId, type EmulatorDeps } from '../emulator-deps.ts'
import type { World } from '../world.ts'
import { authenticateOss, isPresignParameter } from './authenticate.ts'
import { corsPreflight, corsResponseHeaders } from './bucket-cors.ts'
import { listObjects } from './list-objects.ts'
import {
  abortMultipart,
  completeMultipart,
  initiateMultipart,
  listParts,
  uploadPart,
} from './multipart.ts'
import { deleteObject, getObject, putObject } from './objects.ts'
import { OSS_ERRORS, OssEmulatorError } from './oss-errors.ts'
import { readOssRequest, type OssRequest } from './oss-request.ts'
import { createOssStore, type OssStore } from './oss-store.ts'
import { postObject } from './post-object.ts'
import { xmlDocument } from './xml.ts'

/** What a runtime may hand the emulator: the request target exactly as received (see readOssRequest). @public */
export interface OssEmulatorBindings {
  readonly rawTarget?: string
}

/** Requests the emulator answered, by OSS operation, so tests assert on calls. @public */
export type OssCallCounter = Map<string, number>

const dispatch = async (
  world: World,
  store: OssStore,
  request: OssRequest,
  deps: EmulatorDeps,
  calls: OssCallCounter,
): Promise<Response> => {
  const now = deps.now()
  const count = (op: string) => calls.set(op, (calls.get(op) ?? 0) + 1)
  if (request.bucket === undefined)
    throw new OssEmulatorError('NotImplemented', 'ListBuckets is not emulated.')
  const bucket = store.findBucket(request.bucket)
  if (!bucket) throw new OssEmulatorError('NoSuchBucket')
  const { method, key, query } = request
  if (method === 'OPTIONS') return (count('Preflight'), corsPreflight(bucket, request.headers))
  if (key === undefined) {
    if (
      method === 'POST' &&
      (request.headers['content-type'] ?? '').startsWith('multipart/form-data')
    )
      return (count('PostObject'), postObject(world, request, bucket, now))
    const caller = await authenticateOss(world, request, now, bucket.region)
    if (
      method === 'GET' &&
      [...query.keys()].every((k) =>
        [
          'prefix',
          'delimiter',
          'marker',
          'max-keys',
          'list-type',
          'continuation-token',
          'start-after',
          'encoding-type',
          'fetch-owner',
        ].includes(k),
      )
    ) {
      return (count('ListObjects'), listObjects(request, bucket, caller))
    }
    throw new OssEmulatorError('NotImplemented', 'This bucket operation is not emulated.')
  }
  const caller = await authenticateOss(world, request, now, bucket.region)
  if (query.has('uploads') && method === 'POST')
    return (count('InitiateMultipartUpload'), initiateMultipart(request, bucket, key, caller, deps))
  if (query.has('uploadId')) {
    if (method === 'PUT' && query.has('partNumber'))
      return (count('UploadPart'), uploadPart(request, bucket, key, caller, now))
    if (method === 'POST')
      return (
        count('CompleteMultipartUpload'),
        completeMultipart(request, bucket, key, caller, now)
      )
    if (method === 'DELETE')
      return (count('AbortMultipartUpload'), abortMultipart(request, bucket, key, caller))
    if (method === 'GET') return (count('ListParts'), listParts(request, bucket, key, caller))
  }
  if ([...query.keys()].some((k) => !k.startsWith('response-') && !isPresignParameter(k)))
    throw new OssEmulatorError('NotImplemented', 'This object operation is not emulated.')
  if (method === 'PUT') return (count('PutObject'), putObject(request, bucket, key, caller, now))
  if (method === 'GET' || method === 'HEAD')
    return (
      count(method === 'GET' ? 'GetObject' : 'HeadObject'),
      getObject(request, bucket, key, caller)
    )
  if (method === 'DELETE') return (count('DeleteObject'), deleteObject(bucket, key, caller))
  throw new OssEmulatorError('MethodNotAllowed')
}

/**
 * The OSS emulator: a Hono app answering PutObject, multipart, PostObject,
 * GetObject/HeadObject, DeleteObject and ListObjects in OSS's wire format — V1 and V4 header
 * signatures and STS tokens verified, RAM authorization as role policy ∩ session policy, bucket
 * CORS, XML error bodies. Virtual-hosted and path-style addressing both work.
 * @example
 * const oss = createOssEmulator(world, deps)
 * oss.store.createBucket(accountId, 'demo-bucket', { region: 'oss-cn-hangzhou', cors: [browserUploadCors([origin])] })
 * @public
 */
export const createOssEmulator = (world: World, deps: EmulatorDeps) => {
  const store = createOssStore()
  const calls: OssCallCounter = new Map()
  const app = new Hono<{ Bindings: OssEmulatorBindings }>()

  app.all('*', async (c: Context<{ Bindings: OssEmulatorBindings }>) => {
    const requestId = randomRequestId(deps).replace(/-/g, '').slice(0, 24)
    let request: OssRequest | undefined
    let response: Response
    try {
      request = readOssRequest(
        c.req.raw,
        (name) => store.findBucket(name) !== undefined,
        c.env?.rawTarget,
      )
      response = await dispatch(world, store, request, deps, calls)
    } catch (error) {
      const e = error instanceof OssEmulatorError ? error : new OssEmulatorError('InternalError')
      const [status, message] = OSS_ERRORS[e.code]
      const host = c.req.header('host') ?? 'localhost'
      response = new Response(
        c.req.method === 'HEAD'
          ? null
          : xmlDocument('Error', {
              Code: e.code,
              Message: e.detail ?? message,
              RequestId: requestId,
              HostId: host,
            }),
        { status, headers: { 'Content-Type': 'application/xml' } },
      )
    }
    const headers = new Headers(response.headers)
    headers.set('x-oss-request-id', requestId)
    headers.set('Date', deps.now().toUTCString())
    headers.set('Server', 'AliyunOSS')
    if (c.req.method !== 'OPTIONS' && request?.bucket !== undefined) {
      for (const [k, v] of Object.entries(
        corsResponseHeaders(
          store.findBucket(request.bucket),
          request.headers.origin,
          request.method,
        ),
      ))
        headers.set(k, v)
    }
    return new Response(response.body, { status: response.status, headers })
  })

  return { app, store, calls }
}

/** @public */
export type OssEmulator = ReturnType<typeof createOssEmulator>
