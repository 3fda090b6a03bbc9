/**
 * An Alibaba Cloud identity to sign with. `securityToken` and `expiration` are set for STS
 * credentials and absent for a long-lived AccessKey.
 * @public
 */
export interface Credentials {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken?: string
  readonly expiration?: Date
  /** Where they came from (provider name), for logs: never the values themselves. */
  readonly source: string
}
