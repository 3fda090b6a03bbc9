import type { Plugin } from 'esbuild'
import { describe, expect, it } from 'vitest'
import {
  bundleFcRedisWith,
  bundleFcServerWith,
  bundleFcWith,
} from '../../functions/node/tools/bundle-fc.ts'
import {
  appendImport,
  bundleWorker,
  libInputs,
  shippingViolations,
} from '../helpers/bundle-inputs.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

/**
 * What ships is what esbuild reads. The FC bundle (its entry and the Redis chunk next to it) and
 * the Worker are built with metafiles, and every file that went in is held against the reviewed
 * lib/ folders in test/helpers/bundle-inputs.ts: no emulator, agent, infra or CLI code, and
 * nothing from the Node CLI or build tools.
 */
const BUILD = CHILD_PROCESS_TIMEOUT_MS

const builds = {
  fc: async (extra: Plugin[] = []) =>
    (await bundleFcWith({ metafile: true, plugins: extra })).metafile!,
  'fc custom-runtime server': async (extra: Plugin[] = []) =>
    (await bundleFcServerWith({ metafile: true, plugins: extra })).metafile!,
  worker: (extra: Plugin[] = []) => bundleWorker(extra),
} as const

describe('contract: only reviewed lib/ folders reach the deployed bundles', () => {
  it.each(Object.keys(builds) as Array<keyof typeof builds>)(
    '%s bundle',
    async (target) => {
      const metafile = await builds[target]()
      expect(libInputs(metafile)).toContain('lib/vend/vend-service.ts')
      expect(shippingViolations(metafile)).toEqual([])
    },
    BUILD,
  )

  it(
    'FC Redis chunk',
    async () => {
      const { metafile } = await bundleFcRedisWith({ metafile: true })
      expect(Object.keys(metafile!.inputs)).toContain('functions/node/platform/connect-redis.ts')
      expect(shippingViolations(metafile!)).toEqual([])
    },
    BUILD,
  )

  it.each(Object.keys(builds) as Array<keyof typeof builds>)(
    '%s: an emulator import slipped into vend-service.ts is reported',
    async (target) => {
      const slip = appendImport('lib/vend/vend-service.ts', '../emulator/crypto/md5.ts')
      const metafile = await builds[target]([slip])
      expect(shippingViolations(metafile)).toEqual(['lib/emulator/crypto/md5.ts: never ships'])
    },
    BUILD,
  )
})
