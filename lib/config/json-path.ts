/**
 * A field's path with one more key, as every config problem names it: keys joined with `.`; a
 * key that is not printable ASCII without spaces or quotes is quoted, so a path stays on its line.
 * @internal
 */
export const joinPath = (path: string, key: string): string => {
  const shown = /^[!#-[\]-~]+$/.test(key) ? key : JSON.stringify(key)
  return path === '' ? shown : `${path}.${shown}`
}
