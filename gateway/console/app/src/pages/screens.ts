/// <reference lib="dom" />
// 电视: pair a TV by the six digits it shows (to a home or as a village's public screen), list, revoke.
import { useState } from 'preact/hooks'
import { get, post, del, type Session } from '../api.ts'
import { html } from '../html.ts'
import { Card, Field, Ok, Status, fmtTime, useAction, useLoad } from '../ui.ts'
import { useVillages, type Home } from './places.ts'

interface Screen { id: string, villageId: string, homeId: string | null, label: string, pairedAt: number, revokedAt: number | null, lastSeenAt?: number | null }

export function Screens (_p: { session: Session }): unknown {
  const screens = useLoad(() => get<Screen[]>('/screens'))
  const homes = useLoad(() => get<Home[]>('/homes'))
  const villages = useVillages()
  const [code, setCode] = useState('')
  const [target, setTarget] = useState('')
  const [label, setLabel] = useState('')
  const [ok, setOk] = useState<string | null>(null)
  const act = useAction()
  const chosen = target !== '' ? target : 'v:' + (villages.data?.[0]?.id ?? '')
  const pair = (e: Event): void => {
    e.preventDefault(); setOk(null)
    const body: Record<string, string> = { code: code.trim() }
    const t = chosen
    if (t.startsWith('h:')) body.homeId = t.slice(2); else body.villageId = t.slice(2)
    if (label.trim() !== '') body.label = label.trim()
    void act.run(async () => { await post('/screens/pair', body); setCode(''); setOk('配对成功，电视将在几秒内显示内容'); screens.reload() })
  }
  const revoke = (id: string) => (): void => {
    if (!confirm('确定要解除这台电视的配对吗？')) return
    void act.run(async () => { await del('/screens/' + encodeURIComponent(id)); screens.reload() })
  }
  const homeLabel = (id: string | null): string => (id === null ? '村公共屏' : homes.data?.find((h) => h.id === id)?.label ?? id)
  return html`<${Card} title="配对电视"><form class="row-form" onSubmit=${pair}>
      <${Field} label="电视上显示的 6 位配对码">${(id: string) => html`<input id=${id} name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required autocomplete="off" value=${code} onInput=${(e: Event) => setCode((e.target as HTMLInputElement).value)} />`}<//>
      <${Field} label="用于">${(id: string) => html`<select id=${id} value=${chosen} onChange=${(e: Event) => setTarget((e.target as HTMLSelectElement).value)}>
        ${(villages.data ?? []).map((v) => html`<option value=${'v:' + v.id}>${v.name} 公共屏</option>`)}
        ${(homes.data ?? []).map((h) => html`<option value=${'h:' + h.id}>${h.label}（住户电视）</option>`)}</select>`}<//>
      <${Field} label="名称（可选）">${(id: string) => html`<input id=${id} maxlength="100" value=${label} onInput=${(e: Event) => setLabel((e.target as HTMLInputElement).value)} />`}<//>
      ${act.error !== null ? html`<p class="error" role="alert">${act.error}</p>` : null}
      <button class="primary" type="submit" disabled=${act.busy}>配对</button></form><${Ok} text=${ok} /><//>
    <${Card} title="已配对的电视">
      <${Status} loading=${screens.loading && screens.data === null} error=${screens.error} />
      <ul class="link-list">${(screens.data ?? []).filter((s) => s.revokedAt === null).map((s) => html`<li>
        <span>${s.label} · ${homeLabel(s.homeId)} <small class="muted">配对于 ${fmtTime(s.pairedAt)}</small></span>
        <button class="danger" disabled=${act.busy} onClick=${revoke(s.id)}>解除配对</button></li>`)}</ul>
    <//>`
}
