/**
 * The one zod every schema in lib/ uses, imported as `import * as z from '<path>/zod.ts'`:
 * zod/mini, tree-shakable, so the FC bundle carries and builds only the validators it uses (about
 * half of what zod's classic API costs a cold instance). zod/mini installs no locale, so English
 * is installed here, once, before any schema parses: refusals read as they always have
 * ("Too small: expected string to have >=1 characters").
 */
import { config } from 'zod/mini'
import { en } from 'zod/locales'

config(en())

export * from 'zod/mini'
