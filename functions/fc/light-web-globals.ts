/**
 * What the FC built-in bundle's `Headers`, `Request` and `Response` are: esbuild's `inject`
 * (bundle-fc.ts) points every free use of those names inside `index.js` here, so a cold instance
 * never loads Node's undici for them, and the process's own globals stay untouched.
 */
export { LightHeaders as Headers } from '../node/platform/light-headers.ts'
export { LightRequest as Request } from '../node/platform/light-request.ts'
export { LightResponse as Response } from '../node/platform/light-response.ts'
