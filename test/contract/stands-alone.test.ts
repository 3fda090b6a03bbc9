import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, type Dirent } from 'node:fs'
import { describe, expect, it } from 'vitest'

/**
 * The repository must stand on its own: someone who clones it has only what is tracked. No file
 * may point at design notes that live outside it, and product text describes what is, not the
 * order it was built in (CHANGELOG.md is where change is recorded).
 */
const OUTSIDE = /\b(?:PRODUCT|ALIBABA|STYLE|ANCHORS)\.md\b|\.\.\/shared\b/
const BUILD_HISTORY =
  /\bstep \d+\b|\bsteps \d+\s*[–-]\s*\d+\b|\b(?:a|the) (?:later|next|earlier|previous) step\b/i

/** What is tracked; outside a git checkout, every file but installed and built ones. */
const listFiles = (): string[] => {
  try {
    return execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' }).split('\0')
  } catch {
    return (readdirSync('.', { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((e) => e.isFile())
      .map((e) => `${e.parentPath}/${e.name}`.replace(/^\.\//, ''))
      .filter((f) => !/^(node_modules|\.git|\.tsbuild|dist)\//.test(f))
  }
}

const tracked = listFiles().filter(
  (file) => file !== '' && !/(^|\/)package-lock\.json$|\.(png|jpg|ico|woff2?)$/.test(file),
)

const offending = (pattern: RegExp, skip: (file: string) => boolean) =>
  tracked.flatMap((file) => {
    if (skip(file)) return []
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      return [] // removed in the working tree but still in the index
    }
    return text
      .split('\n')
      .flatMap((line, i) => (pattern.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []))
  })

describe('the repository stands on its own', () => {
  it('cites no document outside the repository', () => {
    // This file names the patterns it looks for.
    expect(offending(OUTSIDE, (f) => f === 'test/contract/stands-alone.test.ts')).toEqual([])
  })

  it('speaks of what is, not of build steps (CHANGELOG.md records change)', () => {
    expect(
      offending(
        BUILD_HISTORY,
        (f) => f === 'CHANGELOG.md' || f === 'test/contract/stands-alone.test.ts',
      ),
    ).toEqual([])
  })
})
