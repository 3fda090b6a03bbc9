import { randomBytes } from 'node:crypto'
import { createApiKey } from '../../../../lib/auth/api-key.ts'
import { ID_PATTERN } from '../../../../lib/config/schema.ts'
import { defineCommand } from '../command.ts'
import { UsageError } from '../usage-error.ts'

/**
 * Mints a partner API key. The key is printed once, for the partner; only its SHA-256 digest goes
 * into configuration (through an env or KMS reference).
 */
export const keysCreateCommand = defineCommand({
  name: 'keys create',
  summary: 'mint a partner API key and the digest that goes into config',
  usage: 'keys create ID',
  help: `Mints an API key for ID and prints it once, with the SHA-256 digest the config refers to
(store the digest as a secret; credvend never holds the key).

options:
  ID                    lowercase letters, digits and -, at most 32
`,
  options: {},
  positionals: [1, 1],
  async run({ positionals }) {
    const id = positionals[0]!
    if (!ID_PATTERN.test(id))
      throw new UsageError(
        `keys create: ID must be lowercase letters, digits and -, at most 32, got "${id}"`,
      )
    const { key, sha256 } = await createApiKey(id, (n) => new Uint8Array(randomBytes(n)))
    const envName = `CREDVEND_KEY_${id.toUpperCase().replace(/-/g, '_')}_SHA256`
    console.log(`key (give this to the partner; it is shown once):\n  ${key}\n`)
    console.log(`sha256 (store it as a secret, e.g. ${envName}):\n  ${sha256}\n`)
    console.log('config:')
    console.log(JSON.stringify({ id, sha256: [{ env: envName }] }, null, 2).replace(/^/gm, '  '))
  },
})
