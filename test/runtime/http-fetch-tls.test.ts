import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpFetch } from '../../functions/node/platform/http-fetch.ts'
import { selfSignedLoopbackCert } from '../helpers/self-signed-cert.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

/**
 * STS and KMS are HTTPS on FC: the node:http fetch over TLS, against a loopback server with a
 * certificate made for this run. Node reads extra trusted roots (NODE_EXTRA_CA_CERTS) only at
 * start (https://nodejs.org/api/cli.html#node_extra_ca_certsfile), so the trusting client runs
 * in a child process; this process, which does not trust the certificate, must be refused.
 */
describe('node:http fetch over TLS', () => {
  let server: Server
  let url: string
  let certFile: string

  beforeAll(async () => {
    const { cert, key } = selfSignedLoopbackCert()
    certFile = join(mkdtempSync(join(tmpdir(), 'credvend-tls-')), 'cert.pem')
    writeFileSync(certFile, cert)
    server = createServer({ cert, key }, (req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
      req.on('end', () => {
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ method: req.method, body }))
      })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`
  })
  afterAll(() => {
    server?.closeAllConnections()
    server?.close()
  })

  it(
    'a client that trusts the certificate gets the answer',
    async () => {
      const script = `import { createHttpFetch } from './functions/node/platform/http-fetch.ts'
        const response = await createHttpFetch()(process.env.TARGET, { method: 'POST', body: 'over tls' })
        console.log(JSON.stringify({ status: response.status, body: await response.json() }))`
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        {
          env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile, TARGET: url },
          timeout: CHILD_PROCESS_TIMEOUT_MS - 10_000,
        },
      )
      expect(JSON.parse(stdout)).toEqual({
        status: 200,
        body: { method: 'POST', body: 'over tls' },
      })
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it('a client that does not trust it is refused with TypeError, as fetch is', async () => {
    const error = (await createHttpFetch()(url).catch((e: unknown) => e)) as TypeError
    expect(error).toBeInstanceOf(TypeError)
    expect((error.cause as NodeJS.ErrnoException).code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/)
    await expect(fetch(url)).rejects.toThrow(TypeError)
  })
})
