/**
 * The STS endpoint a profile's `sts_region` picks, as the official tools build it:
 * `sts.<region>.aliyuncs.com`, or `sts-vpc.<region>.aliyuncs.com` with `enable_vpc`
 * (@alicloud/credentials 2.4.7 dist/src/providers/ram_role_arn.js and oidc_role_arn.js; the aliyun
 * CLI's `getSTSEndpoint`, aliyun/aliyun-cli config/profile.go). Undefined for anything that is not
 * a region id (the CLI's `IsRegion`: letters, digits and hyphens), so a profile cannot steer the
 * host name elsewhere.
 * @internal
 */
export const regionalStsEndpoint = (region: string, vpc: boolean): string | undefined =>
  /^[a-zA-Z0-9-]+$/.test(region)
    ? `https://${vpc ? 'sts-vpc' : 'sts'}.${region.toLowerCase()}.aliyuncs.com`
    : undefined
