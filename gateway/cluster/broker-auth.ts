// The decisions behind the external broker's HTTP authentication and ACL backend (EMQX, mosquitto-go-auth;
// docs/broker-auth.md): the same registry, secret hashes, guessing limits and src/acl.ts rules as the
// embedded broker (gateway/broker/broker-hooks.ts), plus the gateway workers' own broker account, which
// sees every device topic. No I/O beyond the registry lookup; time is passed in through the clock.
import { createHash, timingSafeEqual } from 'node:crypto'
import { mayPublish, maySubscribe } from '../../src/acl.ts'
import type { Clock } from '../../src/clock.ts'
import { checkDeviceLogin, LoginGuard, type LoginLimits, type LoginRefusal } from '../broker/broker-hooks.ts'
import type { DeviceStore } from '../registry/device-store.ts'

export interface WorkerAccount {
  /** The workers' broker username (config.cluster.brokerUsername); reserved, never a device id. */
  username: string
  /** Its password (config.cluster.brokerPassword); without one, no client is ever a worker. */
  password: string | undefined
}

export interface BrokerAuthDeps {
  devices: DeviceStore
  clock: Clock
  limits: LoginLimits
  worker: WorkerAccount
}

export type AuthnReason = LoginRefusal | 'worker'
export type AuthzReason = 'acl' | 'worker' | 'unknown_device' | 'revoked' | 'client_id_mismatch'

export interface AuthnDecision { allow: boolean, superuser: boolean, reason: AuthnReason | 'device' }
export interface AuthzDecision { allow: boolean, reason: AuthzReason }

/**
 * What a client may do with a topic. `read` is a message delivered to the client (mosquitto-go-auth's
 * acc 1): a device receives only what it may subscribe to.
 */
export type BrokerAction = 'publish' | 'subscribe' | 'read'

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

export class BrokerAuth {
  private readonly guard: LoginGuard
  /** Digest of the worker password, so comparing takes the same time whatever its length. */
  private readonly workerDigest: Buffer | undefined

  constructor (private readonly deps: BrokerAuthDeps) {
    this.guard = new LoginGuard(deps.limits)
    this.workerDigest = deps.worker.password === undefined || deps.worker.password === '' ? undefined : digest(deps.worker.password)
  }

  isWorker (username: string): boolean {
    return this.workerDigest !== undefined && username === this.deps.worker.username
  }

  /**
   * A CONNECT. Brokers send absent fields as empty strings, so '' counts as missing. `peer` is the
   * client's address when the broker tells it (EMQX's peerhost); go-auth does not, and then the guessing
   * limits cannot tell a guesser from the device and are not applied (docs/broker-auth.md).
   */
  authenticate (login: { clientId: string, username: string, password: string, peer: string | undefined }): AuthnDecision {
    const now = this.deps.clock.now()
    const username = login.username === '' ? undefined : login.username
    const password = login.password === '' ? undefined : login.password
    const peer = login.peer === '' ? undefined : login.peer
    // The worker name is reserved: a device registered under it still cannot log in as a worker without
    // the worker password, nor as a device (one name, one meaning).
    if (username === this.deps.worker.username) return this.authenticateWorker(password, peer, now)
    const result = checkDeviceLogin(this.deps.devices, this.guard, { clientId: login.clientId, username, password, address: peer }, now)
    return result.ok ? { allow: true, superuser: false, reason: 'device' } : { allow: false, superuser: false, reason: result.reason }
  }

  private authenticateWorker (password: string | undefined, peer: string | undefined, now: number): AuthnDecision {
    const username = this.deps.worker.username
    if (password === undefined || this.workerDigest === undefined) return { allow: false, superuser: false, reason: 'missing_credentials' }
    if (peer !== undefined && this.guard.locked(peer, username, now)) return { allow: false, superuser: false, reason: 'auth_rate_limited' }
    // Workers run with any client id (one per process), so only the password is checked.
    if (!timingSafeEqual(digest(password), this.workerDigest)) {
      if (peer !== undefined) this.guard.failed(peer, username, now)
      return { allow: false, superuser: false, reason: 'bad_secret' }
    }
    return { allow: true, superuser: true, reason: 'worker' }
  }

  /**
   * A publish, subscribe or delivery by a client the broker has already authenticated, so the username
   * is trusted here; the registry is read again because a device may have been revoked since it connected.
   */
  authorize (request: { clientId: string, username: string, topic: string, action: BrokerAction }): AuthzDecision {
    if (this.isWorker(request.username)) return { allow: true, reason: 'worker' }
    if (request.clientId !== request.username) return { allow: false, reason: 'client_id_mismatch' }
    const record = this.deps.devices.authLookup(request.username)
    if (record === undefined || record.secretHash === null || record.kind === 'hub-sensor') return { allow: false, reason: 'unknown_device' }
    if (record.revokedAt !== null) return { allow: false, reason: 'revoked' }
    const who = { id: record.id, kind: record.kind, homeId: record.homeId }
    const allowed = request.action === 'publish' ? mayPublish(who, request.topic) !== null : maySubscribe(who, request.topic)
    return { allow: allowed, reason: 'acl' }
  }
}
