/// <reference lib="dom" />
// 设备: health at a glance (online, battery, last seen, dropped messages) and registration; the secret
// is shown exactly once, with a QR code for the installer's phone, and never fetched again.
import { useState } from 'preact/hooks'
import { get, post, type Session } from '../api.ts'
import { html } from '../html.ts'
import { Card, Field, Status, fmtAgo, useAction, useLoad } from '../ui.ts'
import type { Home } from './places.ts'

interface Device { id: string, homeId: string, kind: string, room: string | null, online: boolean | null, connected: boolean, lastSeen: number | null, battery: number | null, dropped: Record<string, number>, revokedAt: number | null, homeLabel?: string }
interface Summary { total: number, online: number, offline: number, unknown: number, lowBattery: number, dropped: number }
interface Registered { id: string, kind: string, secret: string, qrSvg?: string, mqtt?: { clientId: string, username: string, password: string } }
const KIND: Record<string, string> = { sensor: '人体传感器', hub: '网关', 'hub-sensor': 'Zigbee 传感器' }

/** Low battery below 20 %: the vendor PIR sensors' own warning level. */
const LOW_BATTERY = 20

/** Unknown (never reported) is not offline: a sensor just registered must not look broken. */
function onlineBadge (d: Device): unknown {
  if (d.connected || d.online === true) return html`<span class="badge good">在线</span>`
  if (d.online === false || d.lastSeen !== null) return html`<span class="badge bad">离线</span>`
  return html`<span class="badge">未知</span>`
}

export function Devices ({ session }: { session: Session }): unknown {
  const canRegister = session.user.role === 'admin' || session.user.role === 'clerk'
  const devices = useLoad(() => get<{ summary: Summary, devices: Device[] }>('/devices'))
  const homes = useLoad(() => (canRegister ? get<Home[]>('/homes') : Promise.resolve([])))
  const [homeId, setHomeId] = useState('')
  const [kind, setKind] = useState('sensor')
  const [room, setRoom] = useState('')
  const [created, setCreated] = useState<Registered | null>(null)
  const act = useAction()
  // The first home until one is picked: a <select> must show what a submit would send.
  const chosenHome = homeId !== '' ? homeId : homes.data?.[0]?.id ?? ''
  const label = (id: string): string => homes.data?.find((h) => h.id === id)?.label ?? id
  const register = (e: Event): void => {
    e.preventDefault()
    setCreated(null)
    void act.run(async () => {
      const body: Record<string, string> = { kind }
      if (room.trim() !== '') body.room = room.trim()
      setCreated(await post<Registered>('/homes/' + encodeURIComponent(chosenHome) + '/devices', body)); devices.reload()
    })
  }
  const rotate = (d: Device) => (): void => {
    if (!confirm('更换密钥后旧密钥立即失效，设备需重新写入新密钥。继续？')) return
    setCreated(null)
    void act.run(async () => { setCreated(await post<Registered>('/devices/' + encodeURIComponent(d.id) + '/rotate-secret', {})) })
  }
  const revoke = (d: Device) => (): void => {
    if (!confirm('停用后该设备无法再连接。继续？')) return
    void act.run(async () => { await post('/devices/' + encodeURIComponent(d.id) + '/revoke', {}); devices.reload() })
  }
  const rows = (devices.data?.devices ?? []).filter((d) => d.revokedAt === null)
  const sum = devices.data?.summary
  return html`<${Card} title="设备健康" actions=${html`<button onClick=${devices.reload}>刷新</button>`}>
      <${Status} loading=${devices.loading && devices.data === null} error=${devices.error} />
      ${sum !== undefined ? html`<p class="summary" data-summary>共 ${sum.total} 台：<span class="badge good">在线 ${sum.online}</span> <span class="badge bad">离线 ${sum.offline}</span>
        ${sum.unknown > 0 ? html` <span class="badge">未知 ${sum.unknown}</span>` : null} <span class="badge">电量低 ${sum.lowBattery}</span> <span class="badge">丢弃消息 ${sum.dropped}</span></p>` : null}
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">设备</th><th scope="col">住户</th><th scope="col">在线</th><th scope="col" class="n">电量</th><th scope="col">最后上报</th><th scope="col" class="n">丢弃消息</th>${canRegister ? html`<th scope="col">操作</th>` : null}</tr></thead>
        <tbody>${rows.map((d) => { const dropped = Object.values(d.dropped ?? {}).reduce((a, b) => a + b, 0); return html`<tr data-device=${d.id}>
          <td>${KIND[d.kind] ?? d.kind}${d.room !== null ? ' · ' + d.room : ''}<br /><small class="muted mono">${d.id}</small></td>
          <td>${d.homeLabel ?? label(d.homeId)}</td>
          <td>${onlineBadge(d)}</td>
          <td class=${'n' + (d.battery !== null && d.battery < LOW_BATTERY ? ' warn' : '')}>${d.battery !== null ? String(d.battery) + '%' : '—'}</td>
          <td>${fmtAgo(d.lastSeen)}</td><td class=${'n' + (dropped > 0 ? ' warn' : '')}>${dropped}</td>
          ${canRegister ? html`<td><button class="small" disabled=${act.busy} onClick=${rotate(d)}>换密钥</button> <button class="small danger" disabled=${act.busy} onClick=${revoke(d)}>停用</button></td>` : null}</tr>` })}</tbody>
      </table></div>
    <//>
    ${canRegister ? html`<${Card} title="登记设备"><form class="row-form" onSubmit=${register}>
      <${Field} label="住户">${(id: string) => html`<select id=${id} value=${chosenHome} onChange=${(e: Event) => setHomeId((e.target as HTMLSelectElement).value)}>${(homes.data ?? []).map((h) => html`<option value=${h.id}>${h.label}</option>`)}</select>`}<//>
      <${Field} label="类型">${(id: string) => html`<select id=${id} value=${kind} onChange=${(e: Event) => setKind((e.target as HTMLSelectElement).value)}><option value="sensor">人体传感器</option><option value="hub">Zigbee 网关</option></select>`}<//>
      <${Field} label="位置（如 卧室）">${(id: string) => html`<input id=${id} maxlength="40" value=${room} onInput=${(e: Event) => setRoom((e.target as HTMLInputElement).value)} />`}<//>
      ${act.error !== null ? html`<p class="error" role="alert">${act.error}</p>` : null}
      <button class="primary" type="submit" disabled=${act.busy}>登记</button>
    </form>
    ${created !== null ? html`<div class="secret" role="status">
      <p><strong>设备密钥只显示这一次</strong>，请现在写入设备或让安装人员扫码。</p>
      <dl class="facts"><dt>设备 ID</dt><dd class="mono">${created.id}</dd><dt>密钥</dt><dd class="mono" data-secret>${created.secret}</dd></dl>
      ${created.qrSvg !== undefined ? html`<img class="qr" alt="设备 ID 与密钥的二维码" src=${'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(created.qrSvg)} />` : null}
      <button onClick=${() => setCreated(null)}>我已记下，隐藏密钥</button>
    </div>` : null}<//>` : null}`
}
