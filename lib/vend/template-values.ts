import type { Caller } from '../auth/caller.ts'
import { VendError } from '../errors.ts'
import type { CompiledProfile } from '../config/load.ts'
import type { RoleProfile } from '../config/schema.ts'

/** An undeclared parameter is a 400: a caller may not bring values its profile does not name. @internal */
export const checkDeclared = (
  profile: RoleProfile,
  parameters: Readonly<Record<string, string>>,
): void => {
  const declared = profile.parameters
  for (const name in parameters) {
    if (Object.hasOwn(parameters, name) && !Object.hasOwn(declared, name))
      throw new VendError('ERR_BAD_REQUEST', `parameter ${name} is not declared by this profile`)
  }
}

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
  checkDeclared(compiled.profile, parameters)
  const values: Record<string, string | undefined> = {
    'caller.id': caller.id,
    'caller.sub': caller.sub,
  }
  for (const name in compiled.profile.variables) {
    const claim = caller.claims[name.slice('claims.'.length)]
    values[name] = typeof claim === 'string' ? claim : undefined
  }
  for (const name in parameters)
    if (Object.hasOwn(parameters, name)) values[`params.${name}`] = parameters[name]
  return values
}
