import type { RoleProfile } from '../config/schema.ts'
import { VendError } from '../errors.ts'

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
