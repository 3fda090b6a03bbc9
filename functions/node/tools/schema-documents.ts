import { z } from 'zod'
import { configSchema } from '../../../lib/config/schema.ts'
import { vendBody } from '../../../lib/routes/vend-body.ts'
import { errorResponse, postObjectResponse, uploadFields, vendResponse } from '../../../lib/routes/vend-response.ts'

const schema = (s: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any' })

const errors = (codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]))

/** The generated documents, by file name. */
export const generatedDocuments = () => ({
  'config.schema.json': { title: 'credvend configuration', ...schema(configSchema, 'input') },
  'openapi.json': {
    openapi: '3.1.0',
    info: { title: 'credvend', version: '1', description: 'Credential vending for Alibaba Cloud. Profiles are not listed: 404 answers both "no such profile" and "not yours".' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A caller JWT or a cvk_ API key' } },
      schemas: { VendRequest: schema(vendBody, 'input'), Credentials: schema(vendResponse, 'output'), UploadCredentials: schema(vendResponse.extend(uploadFields.shape), 'output'), PostObjectForm: schema(postObjectResponse, 'output'), Error: schema(errorResponse, 'output') },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/credentials/{profile}': {
        parameters: [{ name: 'profile', in: 'path', required: true, schema: { type: 'string' } }],
        get: { summary: 'Vend credentials for a profile', responses: { '200': { description: 'credentials', content: { 'application/json': { schema: { $ref: '#/components/schemas/Credentials' } } } }, ...errors([400, 401, 404, 502, 503, 504]) } },
        post: {
          summary: 'Vend credentials, narrowed by the body',
          requestBody: { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/VendRequest' } } } },
          responses: {
            '200': {
              description: 'credentials; oss-upload profiles add where to upload, and answer `form: true` with a signed PostObject form',
              content: { 'application/json': { schema: { oneOf: ['Credentials', 'UploadCredentials', 'PostObjectForm'].map((n) => ({ $ref: `#/components/schemas/${n}` })) } } },
            },
            ...errors([400, 401, 403, 404, 413, 415, 502, 503, 504]),
          },
        },
        options: { security: [], summary: 'CORS preflight (oss-upload profiles, exact origins only)', responses: { '204': { description: 'allowed origins get Access-Control-Allow-* headers; anything else a bare 204' } } },
      },
      '/healthz': { get: { security: [], summary: 'Liveness (no upstream calls)', responses: { '200': { description: 'alive' } } } },
      '/readyz': { get: { security: [], summary: 'Config loaded and a source credential available', responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } } },
    },
  },
})
