import * as z from '../zod.ts'
import { parseTimestamp } from './timestamp.ts'

/**
 * A `YYYY-MM-DDThh:mm:ssZ` string read into a Date (see `parseTimestamp`); anything else is a
 * custom issue carrying `message`, so each reply names the field it found wrong.
 * @internal
 */
export const timestampSchema = (message: string) =>
  z.pipe(
    z.string(),
    z.transform(
      (text: string, ctx) =>
        parseTimestamp(text) ??
        (ctx.issues.push({ code: 'custom', message, input: text }), z.NEVER),
    ),
  )
