/** One rendered file: its path under the output directory and its JSON. @public */
export interface RenderedFile {
  readonly path: string
  readonly json: unknown
}
