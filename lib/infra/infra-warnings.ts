import type { Config } from '../config/schema.ts'
import { corsReplacementWarning } from './cors-replacement-warning.ts'
import { infraModel } from './infra-model.ts'

/** What `infra render` must say out loud besides writing files: each bucket whose CORS rules it would replace. @public */
export const infraWarnings = (config: Config): string[] =>
  infraModel(config).buckets.map(corsReplacementWarning)
