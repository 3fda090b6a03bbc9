import { VendError } from '../errors.ts'

/**
 * One problem of a config file: the field it is about, where that field's value starts in the
 * file (1-based), and what is wrong — never the value itself.
 * @public
 */
export interface ConfigProblem {
  /** `profiles.web.sessionPolicy.Statement[0].Resource[1]`; `(root)` for the file as a whole. */
  readonly path: string
  readonly line: number
  readonly column: number
  readonly message: string
}

/** A problem before it is placed: its path (`''` is the root), or the offset where JSON broke. @internal */
export interface FoundProblem {
  readonly path: string
  readonly message: string
  readonly at?: number
}

/** `path (line L, column C): problem`, as logs, the CLI and the error's message print it. @public */
export const formatProblem = (p: ConfigProblem): string =>
  `${p.path} (line ${p.line}, column ${p.column}): ${p.message}`

/**
 * What config loading throws: every problem found, each at its field. The message lists them one
 * per line, so a log line (`reload-refused`) reads like the CLI's output.
 * @public
 */
export class ConfigError extends VendError {
  readonly problems: readonly ConfigProblem[]

  constructor(problems: readonly ConfigProblem[]) {
    super(
      'ERR_CONFIG_INVALID',
      `invalid configuration:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
    )
    this.problems = problems
  }
}

/** One segment off a path: `a.b[0]` → `a.b` → `a` → `''`. */
const parentOf = (path: string) => {
  const parent = path.replace(/(?:\[\d+\]|\.?(?:"(?:[^"\\]|\\.)*"|[^.["]*))$/, '')
  return parent === path ? '' : parent
}

/**
 * Places each problem in the file it came from: at its field's value, or the nearest enclosing
 * one that is there (a missing field is reported where it belongs). The scanner is loaded only
 * here: a config that loads never needs it, and on Function Compute it is a file of its own that
 * a cold instance does not read.
 * @internal
 */
export const configError = async (
  text: string,
  found: readonly FoundProblem[],
): Promise<ConfigError> => {
  const { scanJson } = await import('./scan-json.ts')
  const { starts } = scanJson(text)
  return new ConfigError(
    found.map(({ path, message, at }) => {
      let near = path
      while (!starts.has(near) && near !== '') near = parentOf(near)
      const offset = at ?? starts.get(near) ?? 0
      const before = text.slice(0, offset)
      return {
        path: path || '(root)',
        line: before.split('\n').length,
        column: offset - before.lastIndexOf('\n'),
        message,
      }
    }),
  )
}
