/**
 * The characters a caller id and every template value are made of: letters, digits and `._@-`.
 * RAM accepts them in resource paths and STS in RoleSessionName
 * (https://www.alibabacloud.com/help/en/ram/developer-reference/api-sts-2015-04-01-assumerole),
 * and none of them is a policy wildcard or a path separator.
 * @internal
 */
export const CALLER_ID_CHARS = 'A-Za-z0-9._@-'

/** `^` + first character (a letter or digit) + up to `maxLength - 1` more of the alphabet. @internal */
export const callerIdPattern = (maxLength: number): string =>
  `^[A-Za-z0-9][${CALLER_ID_CHARS}]{0,${maxLength - 1}}$`

/** The longest value a template variable takes, and so the longest plain caller id. @internal */
export const MAX_TEMPLATE_VALUE = 128

/** The default pattern of every template variable; a caller id always matches it. @internal */
export const TEMPLATE_VALUE_PATTERN = callerIdPattern(MAX_TEMPLATE_VALUE)
