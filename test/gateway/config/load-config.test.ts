import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../gateway/config/load-config.ts'

describe('loadConfig', () => {
  it('gives working embedded defaults with no file and no environment', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ dataDir: './data', logLevel: 'info', http: { port: 8080 }, mqtt: { port: 1883, tlsPort: 8883, wsPath: '/mqtt' } })
    expect(config.adminToken).toBeUndefined()
    expect(Object.isFrozen(config.mqtt)).toBe(true)
  })

  it('reads ANJU_* variables, port 0 included', () => {
    const config = loadConfig({ ANJU_MQTT_PORT: '0', ANJU_HTTP_PORT: '0', ANJU_DATA_DIR: '/tmp/x', ANJU_ADMIN_TOKEN: 'a'.repeat(32), ANJU_LOG_LEVEL: 'warn' })
    expect(config).toMatchObject({ dataDir: '/tmp/x', logLevel: 'warn', adminToken: 'a'.repeat(32), http: { port: 0 }, mqtt: { port: 0 } })
  })

  it('lets the environment override a JSON file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anju-config-'))
    try {
      const file = join(dir, 'anju.json')
      writeFileSync(file, JSON.stringify({ http: { port: 9000 }, mqtt: { port: 1999, ratePerSecond: 5 } }))
      const config = loadConfig({ ANJU_CONFIG: file, ANJU_MQTT_PORT: '2000' })
      expect(config.http.port).toBe(9000)
      expect(config.mqtt).toMatchObject({ port: 2000, ratePerSecond: 5 })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reports every problem at once', () => {
    try {
      loadConfig({ ANJU_MQTT_PORT: 'abc', ANJU_HTTP_PORT: '70000', ANJU_LOG_LEVEL: 'loud', ANJU_ADMIN_TOKEN: 'short' })
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      const problems = (err as ConfigError).problems.join('\n')
      for (const path of ['mqtt.port', 'http.port', 'logLevel', 'adminToken']) expect(problems).toContain(path)
    }
  })

  it('needs a token for the InfluxDB 2.x backend and reads its switches as words', () => {
    expect(() => loadConfig({ ANJU_TELEMETRY_BACKEND: 'influxdb2' })).toThrow(/influxdb2 needs a token \(ANJU_TELEMETRY_INFLUX2_TOKEN\)/)
    const config = loadConfig({ ANJU_TELEMETRY_BACKEND: 'influxdb2', ANJU_TELEMETRY_INFLUX2_TOKEN: 't0ken', ANJU_TELEMETRY_INFLUX2_MANAGE_SCHEMA: 'false' })
    expect(config.telemetry.influx2).toMatchObject({ token: 't0ken', org: 'anju', bucket: 'anju', manageSchema: false })
  })

  it('refuses unknown ANJU_ variables, so a typo is not silently ignored', () => {
    expect(() => loadConfig({ ANJU_MQTT_PROT: '1883' })).toThrow(/ANJU_MQTT_PROT: unknown variable/)
  })

  it('names the file when the JSON file is broken', () => {
    expect(() => loadConfig({ ANJU_CONFIG: '/nonexistent/anju.json' })).toThrow(/ANJU_CONFIG \/nonexistent\/anju.json/)
  })

  it('knows every ANJU_* variable that docker-compose.yml sets (an unknown one would stop the container)', () => {
    const compose = readFileSync(new URL('../../../docker-compose.yml', import.meta.url), 'utf8')
    const names = [...compose.matchAll(/^\s+(ANJU_[A-Z_]+):/gm)].map((m) => m[1] as string)
    expect(names.length).toBeGreaterThan(5)
    const env = Object.fromEntries(names.map((n) => [n, n === 'ANJU_ADMIN_TOKEN' ? 'x'.repeat(32) : n.endsWith('_PORT') || n.endsWith('_DAYS') ? '1' : n.endsWith('_URL') ? 'http://x:1' : n === 'ANJU_TELEMETRY_BACKEND' ? 'influxdb' : n === 'ANJU_LOG_LEVEL' ? 'info' : n === 'ANJU_TELEMETRY_INFLUX_DATABASE' ? 'anju' : n === 'ANJU_NOTIFY_WEBHOOK_SECRET' || n === 'ANJU_NOTIFY_ACK_LINK_KEY' ? 's'.repeat(32) : 'value']))
    expect(() => loadConfig(env)).not.toThrow()
  })
})
