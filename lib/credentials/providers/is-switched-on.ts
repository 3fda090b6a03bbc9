/**
 * An environment switch such as `ALIBABA_CLOUD_ECS_METADATA_DISABLED`, read as the official Node
 * chain reads it: on when its value is `true` in any letter case (@alicloud/credentials 2.4.7
 * dist/src/providers/ecs_ram_role.js and cli_profile.js compare `value.toLowerCase() === 'true'`).
 * @internal
 */
export const isSwitchedOn = (
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): boolean => env[name]?.toLowerCase() === 'true'
