/** STS credentials as granted, with what the audit line and the response report about them. @internal */
export interface Granted {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken: string
  readonly expiration: Date
  readonly roleSessionName: string
  readonly roleArn: string
  readonly policySha256: string | undefined
  readonly durationSeconds: number
  readonly stsRequestId: string | undefined
}

/** A cached vend, as kept in memory and (sealed) in the shared store. @internal */
export interface VendEntry {
  readonly result: Granted
  readonly generation: string
  readonly profile: string
  readonly callerId: string
}
