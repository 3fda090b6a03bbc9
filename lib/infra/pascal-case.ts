/** `credvend-demo` → `CredvendDemo`: ROS logical ids and parameter names take letters and digits only. @public */
export const pascalCase = (name: string): string =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase())
    .join('')
