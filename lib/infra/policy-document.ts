/** A RAM policy document as the renderer writes it. @public */
export interface PolicyDocument {
  readonly Version: '1'
  readonly Statement: readonly Record<string, unknown>[]
}
