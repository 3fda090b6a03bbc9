import { generateKeyPairSync, randomBytes, sign } from 'node:crypto'

/** DER (X.690): a tag, its length, its contents. */
const der = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts)
  const n = body.length
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]
  return Buffer.concat([Buffer.from([tag, ...length]), body])
}
const seq = (...parts: Buffer[]) => der(0x30, ...parts)
const oid = (dotted: string) => {
  const [first, second, ...rest] = dotted.split('.').map(Number)
  const bytes = [40 * first! + second!]
  for (let value of rest) {
    const groups = [value & 0x7f]
    while ((value >>= 7) > 0) groups.unshift((value & 0x7f) | 0x80)
    bytes.push(...groups)
  }
  return der(0x06, Buffer.from(bytes))
}
const utcTime = (date: Date) =>
  der(0x17, Buffer.from(`${date.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`))
const commonName = (cn: string) => seq(der(0x31, seq(oid('2.5.4.3'), der(0x0c, Buffer.from(cn)))))

/**
 * A P-256 certificate for 127.0.0.1, signed by its own key (RFC 5280 §4.1), valid for a day:
 * a TLS server on loopback without a system `openssl`.
 */
export const selfSignedLoopbackCert = (): { cert: string; key: string } => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'))
  const serial = randomBytes(8)
  serial[0]! &= 0x7f
  const now = Date.now()
  const subjectAltName = seq(
    oid('2.5.29.17'),
    der(0x04, seq(der(0x87, Buffer.from([127, 0, 0, 1])))),
  )
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ecdsaWithSha256,
    commonName('127.0.0.1'),
    seq(utcTime(new Date(now - 60_000)), utcTime(new Date(now + 86_400_000))),
    commonName('127.0.0.1'),
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, seq(subjectAltName)),
  )
  const signature = sign('sha256', tbs, privateKey)
  const cert = seq(tbs, ecdsaWithSha256, der(0x03, Buffer.from([0]), signature))
  const lines = cert
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  }
}
