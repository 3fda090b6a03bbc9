import { createLocalJWKSet, jwtVerify } from 'jose'
import { AUDIENCE, ISSUER } from '../helpers/vend-harness.ts'
import { benchApp, signMany } from './bench-setup.ts'
import { cpuMicrosPerCall, interleave, median, ROUNDS } from './measure.ts'
import { addRow, micros, percent, spreadOf, times } from './table.ts'

const OTHERS = 10_000

/** Vends in chunks, so Web Crypto on the thread pool overlaps the main thread while filling. */
const vendAll = async (tokens: readonly string[], vend: (token: string) => Promise<unknown>) => {
  for (let i = 0; i < tokens.length; i += 50) await Promise.all(tokens.slice(i, i + 50).map(vend))
}

/**
 * One caller's cache hit while 10 others are cached, against the same hit while 10,000
 * others are: two apps, identical but for how full their caches are, limits off (they would
 * refuse the fill), interleaved. The ratio is the full cache's throughput share of the small one.
 */
export const hotCallerRow = async () => {
  const BATCH = 4000
  const apps = await Promise.all([benchApp({ limits: 'off' }), benchApp({ limits: 'off' })])
  const [few, many] = apps
  const hot: string[] = []
  for (const [b, others] of [
    [few, 10],
    [many, OTHERS],
  ] as const) {
    const tokens = await signMany(b.signer, others, (i) => `other-${i}`, 'o')
    await vendAll(tokens, (t) => b.get('a', t))
    const token = await b.signer.sign({}, { sub: 'hot-caller' })
    await b.get('a', token)
    hot.push(token)
  }
  const entries = many.credvend.stats().cacheEntries
  if (entries < OTHERS + 1)
    throw new Error(`only ${entries} entries cached; the row needs ${OTHERS + 1}`)
  const r = await interleave({
    variant: () => cpuMicrosPerCall(() => many.get('a', hot[1]!), 0, BATCH),
    baseline: () => cpuMicrosPerCall(() => few.get('a', hot[0]!), 0, BATCH),
    ratio: (manyUs, fewUs) => fewUs / manyUs,
  })
  addRow({
    what: `cache hit of one caller, ${OTHERS.toLocaleString('en')} others cached (app.request, CPU time)`,
    baseline: `same hit, 10 others cached: ${micros(median(r.baseline))} CPU/request`,
    measured: `${micros(median(r.variant))} CPU/request (${entries} entries)`,
    ratio: `${percent(r.ratio)} of its throughput`,
    spread: spreadOf(r, percent),
    budget: '≥ 90 %',
    ok: r.ratio >= 0.9,
  })
}

/**
 * A cache miss with STS answered at once (an in-process fake with a 1,000-character
 * token), against a cache hit of the same profile. Each miss is a caller never vended on profile
 * `a` but whose JWT is already verified (by a vend on its twin `b`), so both sides are the vend
 * path alone; the hits replay callers already cached on `a`.
 */
export const missRow = async () => {
  const BATCH = 400
  const b = await benchApp()
  const fresh = await signMany(b.signer, BATCH * (ROUNDS + 1), (i) => `miss-${i}`, 'm')
  const cached = await signMany(b.signer, BATCH, (i) => `hit-${i}`, 'h')
  await vendAll(fresh, (t) => b.get('b', t))
  await vendAll(cached, (t) => b.get('a', t))
  const callsBefore = b.sts.calls()
  const r = await interleave({
    variant: (round) => cpuMicrosPerCall((i) => b.get('a', fresh[i]!), round * BATCH, BATCH),
    baseline: () => cpuMicrosPerCall((i) => b.get('a', cached[i]!), 0, BATCH),
    ratio: (missUs, hitUs) => missUs / hitUs,
  })
  const misses = b.sts.calls() - callsBefore
  if (misses !== fresh.length)
    throw new Error(`${misses} STS calls for ${fresh.length} misses: some were not misses`)
  addRow({
    what: 'cache miss, STS answered instantly (in-process fake; app.request, CPU time)',
    baseline: `cache hit, same profile: ${micros(median(r.baseline))} CPU/request`,
    measured: `${micros(median(r.variant))} CPU/request`,
    ratio: times(r.ratio),
    spread: spreadOf(r, times),
    budget: '≤ 3×',
    ok: r.ratio <= 3,
  })
}

/**
 * A JWT never seen before, whose caller's credentials are cached, against what that costs
 * at the least: `jose.jwtVerify` of a token as new, plus the cache hit with a known token.
 */
export const firstSightRow = async () => {
  const BATCH = 600
  const b = await benchApp()
  const known = await b.signer.sign({}, { sub: 'alice' })
  await b.get('a', known)
  const count = BATCH * (ROUNDS + 1)
  const fresh = await signMany(b.signer, count, () => 'alice', 'f')
  const forVerify = await signMany(b.signer, count, () => 'alice', 'v')
  const keys = createLocalJWKSet({ keys: [b.signer.jwk] })
  const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'] }
  const r = await interleave({
    variant: (round) => cpuMicrosPerCall((i) => b.get('a', fresh[i]!), round * BATCH, BATCH),
    baseline: (round) =>
      cpuMicrosPerCall(
        async (i) => {
          await jwtVerify(forVerify[i]!, keys, options)
          await b.get('a', known)
        },
        round * BATCH,
        BATCH,
      ),
    ratio: (firstUs, baseUs) => firstUs / baseUs,
  })
  addRow({
    what: 'first sight of a JWT, credentials cached (app.request, CPU time)',
    baseline: `jose.jwtVerify + cache hit: ${micros(median(r.baseline))} CPU/request`,
    measured: `${micros(median(r.variant))} CPU/request`,
    ratio: times(r.ratio),
    spread: spreadOf(r, times),
    budget: '≤ 1.5×',
    ok: r.ratio <= 1.5,
  })
}
