import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * An empty credentials file in a fresh directory only this user can enter, for
 * ALIBABA_CLOUD_CREDENTIALS_FILE: a file nobody else can plant a profile in. `remove` deletes the
 * directory; call it when the programs given the path are gone.
 */
export const createNeutralCredentialsFile = async (prefix: string) => {
  // mkdtemp creates the directory with mode 0700.
  const dir = await mkdtemp(join(tmpdir(), prefix))
  const path = join(dir, 'credentials')
  await writeFile(path, '', { mode: 0o600 })
  return { path, remove: () => rm(dir, { recursive: true, force: true }) }
}
