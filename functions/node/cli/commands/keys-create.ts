import { randomBytes } from 'node:crypto'
import { createApiKey } from '../../../../lib/auth/api-key.ts'
import { UsageError } from '../usage-error.ts'

/**
 * `credvend keys create ID`: mints a partner API key. The key is printed once, for the partner;
 * only its SHA-256 digest goes into configuration (through an env or KMS reference).
 */
export const keysCreateCommand = async (args: readonly string[]) => {
  const [id] = args
  if (!id || !/^[a-z0-9][a-z0-9-]{0,31}$/.test(id) || args.length !== 1) {
    throw new UsageError(
      'usage: credvend keys create ID   (ID: lowercase letters, digits and -, at most 32)',
    )
  }
  const { key, sha256 } = await createApiKey(id, (n) => new Uint8Array(randomBytes(n)))
  const envName = `CREDVEND_KEY_${id.toUpperCase().replace(/-/g, '_')}_SHA256`
  console.log(`key (give this to the partner; it is shown once):\n  ${key}\n`)
  console.log(`sha256 (store it as a secret, e.g. ${envName}):\n  ${sha256}\n`)
  console.log('config:')
  console.log(JSON.stringify({ id, sha256: [{ env: envName }] }, null, 2).replace(/^/gm, '  '))
}
