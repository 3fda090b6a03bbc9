import type { Config } from '../config/schema.ts'
import { infraModel } from './infra-model.ts'
import type { RenderedFile } from './rendered-file.ts'
import { rosTemplates } from './ros.ts'
import { terraformConfig } from './terraform.ts'

/**
 * Everything on the RAM and OSS side that a configuration implies (infra/DEPLOY.md,
 * 'Infrastructure from the config'): plain policy JSON — the verified artifact — each upload
 * bucket's CORS, a Terraform (JSON syntax) configuration that applies those files, and one ROS
 * template per account for the same roles and policies. Secrets never appear: ExternalIds stay
 * references in the files and become sensitive variables and NoEcho parameters.
 * @public
 */
export const renderInfra = (config: Config): RenderedFile[] => {
  const model = infraModel(config)
  const files: RenderedFile[] = []
  for (const role of model.roles) {
    files.push({ path: role.trustFile, json: role.trust })
    if (role.permissionsFile) files.push({ path: role.permissionsFile, json: role.permissions })
  }
  for (const bucket of model.buckets) files.push({ path: bucket.corsFile, json: bucket.cors })
  files.push({ path: 'terraform/main.tf.json', json: terraformConfig(model) })
  files.push(...rosTemplates(model))
  return files.sort((a, b) => a.path.localeCompare(b.path))
}
