import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { infraDrift } from '../../../../lib/infra/infra-drift.ts'
import { infraWarnings } from '../../../../lib/infra/infra-warnings.ts'
import { renderInfra } from '../../../../lib/infra/render.ts'
import { defineCommand } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { UsageError } from '../usage-error.ts'
import { configProblemsAsJson, placeholderResolver, readConfigFile } from '../config-file.ts'

/** File-system codes that mean --out is not a place this user can write. */
const UNWRITABLE = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOTDIR',
  'EISDIR',
  'EEXIST',
  'ENOENT',
  'ENAMETOOLONG',
  'ELOOP',
])

const load = async (config: string) => (await readConfigFile(config, placeholderResolver)).config

const filesUnder = async (dir: string): Promise<Map<string, string>> => {
  const out = new Map<string, string>()
  const walk = async (at: string) => {
    for (const entry of await readdir(at, { withFileTypes: true }).catch(() => [])) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (entry.name.endsWith('.json'))
        out.set(relative(dir, path), await readFile(path, 'utf8'))
    }
  }
  await walk(dir)
  return out
}

export const infraRenderCommand = defineCommand({
  name: 'infra render',
  summary: 'write the RAM roles, policies and OSS CORS a config implies (JSON, Terraform, ROS)',
  usage: 'infra render CONFIG --out DIR',
  help: `Writes the RAM and OSS side of a deployment from its config into DIR:
  policies/   each role's trust and permission policy as JSON (ExternalIds as {{env:NAME}})
  oss/        each upload bucket's CORS rule
  terraform/  main.tf.json for the aliyun/alicloud provider: one provider alias per other
              account (var.deploy_role_arn_<account>), ExternalIds as sensitive variables
              (TF_VAR_<name>), bucket CORS only with var.replace_cors_rules_<bucket> = true
  ros/        one ROS template per account, ExternalIds as NoEcho parameters
No secret is resolved. OSS PutBucketCors replaces all of a bucket's CORS rules: a warning for
each bucket is printed.

options:
  CONFIG                the config file
  --out DIR             where the files go (created if missing)
`,
  options: { out: { type: 'string' } },
  positionals: [1, 1],
  async run({ values, positionals }) {
    if (!values.out) throw new UsageError('infra render: name the directory: --out DIR')
    const config = await load(positionals[0]!)
    const files = renderInfra(config)
    for (const f of files) {
      const path = join(values.out, f.path)
      try {
        await mkdir(dirname(path), { recursive: true })
        await writeFile(path, `${JSON.stringify(f.json, null, 2)}\n`)
      } catch (error) {
        // --out names a place this user cannot write: the command line is what to change. A
        // full disk or an I/O error stays unexpected (exit 4).
        const code = (error as NodeJS.ErrnoException).code
        if (code === undefined || !UNWRITABLE.has(code)) throw error
        throw new UsageError(`infra render: cannot write ${path} (${code}): check --out`)
      }
    }
    console.log(
      `rendered ${files.length} files into ${values.out}:\n${files.map((f) => `  ${f.path}`).join('\n')}`,
    )
    for (const warning of infraWarnings(config)) console.log(`\n${warning}`)
  },
})

export const infraCheckCommand = defineCommand({
  name: 'infra check',
  summary: 'report drift between rendered files and what a config implies',
  usage: 'infra check CONFIG DIR [--json]',
  help: `Compares the files in DIR (policies/, oss/, terraform/, ros/: every .json file) with what
CONFIG implies. Exits 0 when they match, 1 with each difference otherwise (re-render with
credvend infra render).

options:
  CONFIG                the config file
  DIR                   the directory infra render wrote
  --json                print {"ok", "drift": [...]}; a config that does not load prints
                        {"ok": false, "file", "problems"} (as config check)
`,
  options: { json: { type: 'boolean' } },
  positionals: [2, 2],
  run: configProblemsAsJson(async ({ values, positionals }) => {
    const [config, dir] = positionals as [string, string]
    const drift = infraDrift(renderInfra(await load(config)), await filesUnder(dir))
    if (values.json) console.log(JSON.stringify({ ok: drift.length === 0, drift }))
    else if (drift.length === 0) console.log(`ok: ${dir} is what ${config} implies`)
    else
      console.log(
        `drift between ${dir} and ${config} (re-render with credvend infra render):\n${drift.map((d) => `  ${d}`).join('\n')}`,
      )
    return drift.length === 0 ? EXIT.ok : EXIT.failed
  }),
})
