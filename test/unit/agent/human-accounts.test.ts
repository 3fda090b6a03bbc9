import { describe, expect, it } from 'vitest'
import { humanAccounts } from '../../../functions/node/cli/agent.ts'

describe("the agent's multi-user check", () => {
  it('counts accounts with a login shell and a human uid, not system or nologin accounts', () => {
    const passwd = [
      'root:x:0:0:root:/root:/bin/bash',
      'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
      'alice:x:1000:1000::/home/alice:/bin/bash',
      'bob:x:1001:1001::/home/bob:/bin/zsh',
      'svc:x:1002:1002::/srv:/usr/sbin/nologin',
      'ci:x:1003:1003::/home/ci:/bin/false',
      'nobody:x:65534:65534:nobody:/nonexistent:/bin/sh',
    ].join('\n')
    expect(humanAccounts(passwd)).toEqual(['alice', 'bob'])
    expect(
      humanAccounts('root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash'),
    ).toEqual(['alice'])
  })
})
