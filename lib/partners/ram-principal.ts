const NAME = '[A-Za-z0-9._@-]{1,64}'

/**
 * A RAM identity a role can trust: an account root, a user or a role. A leaf on purpose: the
 * config schema checks `sourcePrincipal` with it and the trust-policy renderer checks `trusted`,
 * and the renderer reads the config's types, so living in either would tie the two in a cycle.
 * @public
 */
export const RAM_PRINCIPAL = new RegExp(`^acs:ram::\\d{16}:(root|user/${NAME}|role/${NAME})$`)
