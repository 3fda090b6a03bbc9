// madge ships no types; this is the part of its API the import-cycle contract uses
// (https://github.com/pahen/madge#api).
declare module 'madge' {
  interface MadgeConfig {
    readonly fileExtensions?: readonly string[]
    readonly tsConfig?: string
    readonly baseDir?: string
  }
  interface MadgeResult {
    /** Each cycle as the files in it, relative to the analysed folder. */
    circular(): string[][]
    /** Every file and what it imports. */
    obj(): Record<string, string[]>
    warnings(): { skipped: string[] }
  }
  const madge: (path: string | readonly string[], config?: MadgeConfig) => Promise<MadgeResult>
  export default madge
}
