/**
 * Build step: writes the config JSON Schema and the OpenAPI document from the same zod schemas
 * the code parses with, so editors, clients and the server can never disagree. A test fails if
 * the committed files are stale: run `npm run build:schemas`.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { generatedDocuments, openapiModuleText } from './schema-documents.ts'

const out = (name: string) =>
  fileURLToPath(new URL(`../../../lib/generated/${name}`, import.meta.url))
const docs = generatedDocuments()
for (const [name, doc] of Object.entries(docs)) {
  writeFileSync(out(name), `${JSON.stringify(doc, null, 2)}\n`)
  console.log(`wrote lib/generated/${name}`)
}
writeFileSync(out('openapi.ts'), openapiModuleText(docs['openapi.json']))
console.log('wrote lib/generated/openapi.ts')
