// The embedded MQTT broker (aedes 1.x) with Anju's hooks, and its TCP / TLS / WebSocket listeners.
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import type { Server as HttpServer, IncomingMessage } from 'node:http'
import { createServer, type AddressInfo, type Server } from 'node:net'
import type { Duplex } from 'node:stream'
import { createServer as createTlsServer } from 'node:tls'
import { Aedes, type Client } from 'aedes'
import { WebSocketServer, createWebSocketStream } from 'ws'
import { deviceConfigPayload, type DeviceConfigPayload } from '../../src/device-payloads.ts'
import { deviceTopic } from '../../src/topics.ts'
import { createBrokerHooks, type HookDeps } from './broker-hooks.ts'
import { guardPacketSize, maxPacketBytes } from './packet-size-guard.ts'

export interface MqttBroker {
  aedes: Aedes
  /** Listen on TCP (and TLS when configured); returns the bound ports. */
  listen(): Promise<{ mqtt: number, mqtts: number | null }>
  /** Serve MQTT over WebSocket on an HTTP server's `upgrade` event under `wsPath`. */
  attachWebSocket(server: HttpServer): void
  /** Close a device's connection (after revoke, move or secret rotation). */
  disconnect(deviceId: string): void
  isConnected(deviceId: string): boolean
  /** Publish a retained config downlink. */
  publishConfig(deviceId: string, config: Partial<DeviceConfigPayload>): Promise<void>
  close(): Promise<void>
}

export async function createMqttBroker (deps: HookDeps): Promise<MqttBroker> {
  const { config, log, metrics, ingest } = deps
  const hooks = createBrokerHooks(deps)
  const aedes = await Aedes.createBroker({
    // aedes 1.x crashes with "Maximum call stack size exceeded" under a QoS 0 flood (aedes #193,
    // mqemitter PR #204): when deliveries stall (slow or paused subscribers), mqemitter queues past
    // `concurrency` and later drains the queue recursively. Measured here: 50 paused subscribers let the
    // queue reach 57k messages in 10 s; `concurrency: 0` instead locked the event loop. So deliveries
    // must never stall on device traffic: authorizeForward lets no device uplink reach any MQTT client
    // (see broker-hooks.ts), and the per-client token bucket bounds what enters the broker at all.
    concurrency: 100,
    // A client that stops reading its downlinks is disconnected instead of growing our write buffers.
    drainTimeout: 10_000,
    connectTimeout: config.connectTimeoutMs,
    authenticate: hooks.authenticate,
    authorizePublish: hooks.authorizePublish,
    authorizeSubscribe: hooks.authorizeSubscribe,
    authorizeForward: hooks.authorizeForward
  })

  aedes.on('clientReady', (client) => {
    const who = hooks.identityOf(client)
    if (who === undefined) return
    metrics.connects.inc({ kind: who.kind })
    metrics.connectedDevices.inc({ kind: who.kind })
    ingest.connected(who)
  })
  aedes.on('clientDisconnect', (client) => {
    const who = hooks.identityOf(client)
    if (who === undefined) return
    metrics.connectedDevices.dec({ kind: who.kind })
    // A takeover (same id connecting again) closes the old client after the new one registered.
    if (!isConnected(who.id)) ingest.disconnected(who)
  })
  aedes.on('clientError', (client, err) => { log.debug({ deviceId: hooks.identityOf(client)?.id ?? null, err: err.message }, 'mqtt client error') })
  aedes.on('connectionError', (_client, err) => { log.debug({ err: err.message }, 'mqtt connection error') })

  // Every connection, whatever its transport, goes through the packet size guard (see its file).
  const packetLimit = maxPacketBytes(config.maxPayloadBytes)
  const handle = (conn: Duplex, req?: IncomingMessage): void => {
    const client = aedes.handle(conn, req as IncomingMessage) as Client
    guardPacketSize(conn, packetLimit, () => {
      const who = hooks.identityOf(client)
      ingest.drop(who?.id ?? null, 'oversize')
      log.warn({ deviceId: who?.id ?? null, maxPacketBytes: packetLimit }, 'mqtt packet over the size limit; connection closed')
    })
  }

  const servers: Server[] = []
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1_048_576 })

  // aedes keeps connected clients by id but does not declare the field in its types.
  const clients = (): Record<string, Client> => (aedes as unknown as { clients: Record<string, Client> }).clients

  function isConnected (deviceId: string): boolean {
    return Object.prototype.hasOwnProperty.call(clients(), deviceId)
  }

  // Sockets that never sent CONNECT are not aedes clients; track them so close() cannot hang.
  const sockets = new Set<Duplex>()

  async function listenOn (server: Server, port: number): Promise<number> {
    server.on('connection', (socket: Duplex) => {
      sockets.add(socket)
      socket.once('close', () => sockets.delete(socket))
    })
    server.on('secureConnection', (socket: Duplex) => {
      sockets.add(socket)
      socket.once('close', () => sockets.delete(socket))
    })
    // A deep accept queue: after a power cut thousands of devices SYN at once; with Node's default of
    // 511 the overflow waits for TCP's 1 s / 3 s SYN retries (capped by net.core.somaxconn).
    server.listen({ port, host: config.host, backlog: 4096 })
    await once(server, 'listening')
    servers.push(server)
    return (server.address() as AddressInfo).port
  }

  return {
    aedes,
    async listen () {
      const mqtt = await listenOn(createServer(handle), config.port)
      let mqtts: number | null = null
      if (config.tlsCert !== undefined && config.tlsKey !== undefined) {
        const tls = createTlsServer({ cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }, handle)
        mqtts = await listenOn(tls, config.tlsPort)
      }
      return { mqtt, mqtts }
    },
    attachWebSocket (server: HttpServer) {
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        const path = (req.url ?? '').split('?')[0]
        if (path !== config.wsPath) { socket.destroy(); return }
        wss.handleUpgrade(req, socket, head, (ws) => {
          const stream = createWebSocketStream(ws)
          stream.on('error', () => stream.destroy())
          handle(stream, req)
        })
      })
    },
    disconnect (deviceId: string) {
      if (isConnected(deviceId)) clients()[deviceId]?.close()
    },
    isConnected,
    publishConfig (deviceId: string, partial: Partial<DeviceConfigPayload>) {
      const payload = Buffer.from(JSON.stringify(deviceConfigPayload.parse(partial)))
      return new Promise<void>((resolve, reject) => {
        aedes.publish({ cmd: 'publish', topic: deviceTopic(deviceId, 'config'), payload, qos: 1, retain: true, dup: false }, (err) => err ? reject(err) : resolve())
      })
    },
    async close () {
      for (const client of wss.clients) client.terminate()
      wss.close()
      await new Promise<void>((resolve) => aedes.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
    }
  }
}
