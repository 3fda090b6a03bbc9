import { OssEmulatorError } from './oss-errors.ts'

/** OSS object naming rules (help: "Object naming conventions"). @internal */
export const checkObjectName = (key: string): void => {
  const bytes = new TextEncoder().encode(key).length
  if (bytes < 1 || bytes > 1023 || key.startsWith('/') || key.startsWith('\\'))
    throw new OssEmulatorError('InvalidObjectName')
}
