/** A Terraform identifier from a RAM or OSS name: letters, digits and `_`, never a leading digit. @public */
export const terraformName = (text: string): string => {
  const name = text.replace(/[^A-Za-z0-9_]/g, '_')
  return /^[0-9]/.test(name) ? `_${name}` : name
}
