import type { DoctorCheck } from './doctor-check.ts'
import type { Probe } from './probe-endpoint.ts'

/** Whether an endpoint the config names answers at all; what it answers is the other checks' business. */
export const checkEndpoint = (name: string, endpoint: string, probe: Probe): DoctorCheck =>
  probe.reachable
    ? { name, status: 'ok', detail: `${endpoint} answers (HTTP ${probe.status})`, fix: null }
    : {
        name,
        status: 'fail',
        detail: `${endpoint}: ${probe.reason}`,
        fix: `make ${endpoint} reachable from this host (DNS, proxy, firewall), or correct the endpoint`,
        unreachable: true,
      }
