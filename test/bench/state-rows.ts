import { startVendHarness } from '../helpers/vend-harness.ts'
import { benchApp, signMany } from './bench-setup.ts'
import { addRow } from './table.ts'

/**
 * Heap per cached caller, everything included: credentials cache, token cache, the
 * per-caller and per-miss limiters at their defaults, whatever single flight leaves behind. One
 * vend for each of N distinct JWT callers through the app, heap after `gc()` minus heap before.
 */
export const memoryRow = async () => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('run with --expose-gc (npm run bench does)')
  const N = 10_000
  // A throwaway app takes the first vends, so compiled code and one-time module state are not
  // spread over the measured callers as if each had cost them.
  const warm = await benchApp({ limits: 'defaults', cacheEntries: 'default' })
  for (const t of await signMany(warm.signer, 300, (i) => `warm-${i}`, 'w')) await warm.get('a', t)
  const m = await benchApp({ limits: 'defaults', cacheEntries: 'default' })
  // Signed beforehand and kept alive throughout: the callers' own strings are not credvend's heap.
  const tokens = await signMany(m.signer, N, (i) => `caller-${i}`, 'c')
  const heap = () => {
    gc()
    gc()
    return process.memoryUsage().heapUsed
  }
  const before = heap()
  for (const t of tokens) await m.get('a', t)
  const after = heap()
  const stats = m.credvend.stats()
  if (stats.cacheEntries !== N) throw new Error(`${stats.cacheEntries} cached for ${N} callers`)
  // Divided by the tokens' count, which keeps them reachable until after the second reading.
  const perCaller = (after - before) / tokens.length
  addRow({
    what: `memory per cached caller, all structures (${N.toLocaleString('en')} JWT callers, limits at defaults)`,
    baseline: 'heap with 0 callers, after gc()',
    measured: `${(perCaller / 1024).toFixed(2)} KB (${stats.cacheEntries} credentials, ${stats.tokenCacheEntries} tokens cached; 1,000-char security tokens)`,
    ratio: '—',
    spread: 'one measurement',
    budget: '≤ 3 KB',
    ok: perCaller <= 3 * 1024,
  })
}

/** STS calls under concurrency, counted at the emulator. */
export const stsCallRows = async () => {
  const h = await startVendHarness()
  try {
    const one = await h.signer.sign({}, { sub: 'alice' })
    await Promise.all(
      Array.from({ length: 1000 }, () => h.request('/v1/credentials/plain', { token: one })),
    )
    const identical = h.assumeRoleCalls()
    const ten = await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.signer.sign({}, { sub: `c${i}` })),
    )
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        h.request('/v1/credentials/plain', { token: ten[i % 10]! }),
      ),
    )
    const tenCallers = h.assumeRoleCalls() - identical
    addRow({
      what: 'STS calls: 1,000 identical concurrent vends (counted at the emulator)',
      baseline: '—',
      measured: `${identical}`,
      ratio: '—',
      spread: '—',
      budget: 'exactly 1',
      ok: identical === 1,
    })
    addRow({
      what: 'STS calls: 1,000 concurrent vends from 10 callers (counted at the emulator)',
      baseline: '—',
      measured: `${tenCallers}`,
      ratio: '—',
      spread: '—',
      budget: 'exactly 10',
      ok: tenCallers === 10,
    })
  } finally {
    await h.close()
  }
}
