/** A value an RPC parameter may hold before flattening. @internal */
export type RpcValue =
  string | number | boolean | readonly RpcValue[] | { readonly [k: string]: RpcValue }

/**
 * Flattens lists and objects to `Key.1`, `Key.1.Sub`, … as `flatMap` in
 * aliyun/darabonba-openapi-util `ts/src/client.ts` does. Undefined values are dropped, never sent
 * as "undefined".
 * @internal
 */
export const flattenParams = (
  params: Readonly<Record<string, RpcValue | undefined>>,
): Record<string, string> => {
  const out: Record<string, string> = {}
  const visit = (prefix: string, value: RpcValue | undefined): void => {
    if (value === undefined) return
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(`${prefix}.${i + 1}`, item))
    } else if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(`${prefix}.${k}`, v as RpcValue)
    } else {
      out[prefix] = String(value)
    }
  }
  for (const [k, v] of Object.entries(params)) visit(k, v)
  return out
}
