import type { Caller } from '../auth/caller.ts'
import { VendError } from '../errors.ts'
import type { CompiledProfile } from '../config/load.ts'

/**
 * The values a caller brings to its profile's template: `caller.*`, string `claims.*` from the
 * verified token, and declared `params.*` from the request. An undeclared parameter is a 400.
 * @internal
 */
export const templateValues = (
  caller: Caller,
  compiled: CompiledProfile,
  parameters: Readonly<Record<string, string>>,
): Record<string, string | undefined> => {
  const declared = compiled.profile.parameters
  for (const name of Object.keys(parameters)) {
    if (!Object.hasOwn(declared, name))
      throw new VendError('ERR_BAD_REQUEST', `parameter ${name} is not declared by this profile`)
  }
  const values: Record<string, string | undefined> = {
    'caller.id': caller.id,
    'caller.sub': caller.sub,
  }
  for (const name of Object.keys(compiled.profile.variables)) {
    const claim = caller.claims[name.slice('claims.'.length)]
    values[name] = typeof claim === 'string' ? claim : undefined
  }
  for (const [name, value] of Object.entries(parameters)) values[`params.${name}`] = value
  return values
}
