/**
 * The custom policy credvend attaches to a role, the same name in Terraform and ROS. RAM policy
 * names take letters, digits and `-` only (alicloud_ram_policy, ALIYUN::RAM::Role's Policies),
 * while role names may also hold `.`, `_` and `@`.
 * @public
 */
export const managedPolicyName = (roleName: string): string =>
  `${roleName.replace(/[^A-Za-z0-9-]/g, '-')}-credvend`
