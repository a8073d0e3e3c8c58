// The console section of the config: defaults and ANJU_CONSOLE_* variables.
import { describe, expect, it } from 'vitest'
import { loadConfig, parseConfig } from '../../../../gateway/config/load-config.ts'

describe('console config', () => {
  it('defaults to 8 idle hours, 7 days at most, 5 failures per user and 20 per address in 15 minutes, audit kept 730 days (sign-ins 90)', () => {
    expect(parseConfig({}).console).toEqual({
      secureCookies: 'auto', sessionIdleMinutes: 480, sessionMaxHours: 168, loginWindowMinutes: 15, loginMaxFailuresPerUser: 5, loginMaxFailuresPerIp: 20,
      auditRetentionDays: 730, signInAuditRetentionDays: 90
    })
  })

  it('reads ANJU_CONSOLE_* variables and refuses a bad value', () => {
    const config = loadConfig({ ANJU_CONSOLE_SECURE_COOKIES: 'always', ANJU_CONSOLE_SESSION_IDLE_MINUTES: '60', ANJU_CONSOLE_LOGIN_MAX_FAILURES_PER_IP: '50' }, '')
    expect(config.console).toMatchObject({ secureCookies: 'always', sessionIdleMinutes: 60, loginMaxFailuresPerIp: 50 })
    expect(() => loadConfig({ ANJU_CONSOLE_SECURE_COOKIES: 'sometimes' }, '')).toThrow(/console.secureCookies/)
  })
})
