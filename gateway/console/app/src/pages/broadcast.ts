/// <reference lib="dom" />
// 紧急广播: takes over every screen of a village at once, so it is never one click: the clerk types the
// village's name (or presses a second, separate confirm button) before the request carries confirm:true.
import { useState } from 'preact/hooks'
import { get, post, q, type Session } from '../api.ts'
import { html } from '../html.ts'
import { Card, Field, Ok, Status, fmtTime, useAction, useLoad } from '../ui.ts'
import { VillageSelect, useVillages } from './places.ts'

interface Broadcast { id: string, kind: string, title: string, startedAt: number, active: boolean }
const KIND: Record<string, string> = { typhoon: '台风', flood: '洪水', fire: '火灾', earthquake: '地震', other: '其他' }
const val = (e: Event): string => (e.target as HTMLInputElement).value

export function Broadcast (_p: { session: Session }): unknown {
  const villages = useVillages()
  const [villageId, setVillageId] = useState('')
  const vid = villageId !== '' ? villageId : villages.data?.[0]?.id ?? ''
  const village = villages.data?.find((v) => v.id === vid)
  const list = useLoad(() => (vid === '' ? Promise.resolve([]) : get<Broadcast[]>('/broadcasts' + q({ villageId: vid }))), [vid])
  const [b, setB] = useState({ kind: 'typhoon', title: '', body: '' })
  const [typed, setTyped] = useState('')
  const [armed, setArmed] = useState(false)
  const [ok, setOk] = useState<string | null>(null)
  const act = useAction()
  const confirmed = village !== undefined && typed.trim() === village.name
  const start = (): void => {
    setOk(null)
    void act.run(async () => {
      await post('/broadcasts', { villageId: vid, kind: b.kind, title: b.title.trim(), body: b.body.trim(), confirm: true })
      setOk('紧急广播已发出，全村电视正在显示'); setArmed(false); setTyped(''); list.reload()
    })
  }
  const end = (id: string) => (): void => {
    if (!confirm('结束这条紧急广播？')) return
    void act.run(async () => { await post('/broadcasts/' + encodeURIComponent(id) + '/end', { confirm: true }); list.reload() })
  }
  const ready = b.title.trim() !== '' && b.body.trim() !== ''
  return html`<${VillageSelect} villages=${villages.data ?? []} value=${vid} onChange=${setVillageId} />
    <${Card} title="正在进行的广播">
      <${Status} error=${list.error} />
      <ul class="link-list">${(list.data ?? []).filter((x) => x.active).map((x) => html`<li><span><strong>${KIND[x.kind] ?? x.kind}</strong> ${x.title} <small class="muted">${fmtTime(x.startedAt)}</small></span>
        <button class="danger" disabled=${act.busy} onClick=${end(x.id)}>结束广播</button></li>`)}</ul>
    <//>
    <${Card} title="发出紧急广播">
      <p class="notice">紧急广播会立即占据${village !== undefined ? '「' + village.name + '」' : '本村'}所有电视屏幕，并记录操作人。</p>
      <form onSubmit=${(e: Event) => { e.preventDefault(); if (ready) setArmed(true) }}>
        <${Field} label="类型">${(id: string) => html`<select id=${id} value=${b.kind} onChange=${(e: Event) => setB({ ...b, kind: val(e) })}>${Object.keys(KIND).map((k) => html`<option value=${k}>${KIND[k]}</option>`)}</select>`}<//>
        <${Field} label="标题">${(id: string) => html`<input id=${id} required maxlength="200" value=${b.title} onInput=${(e: Event) => { setArmed(false); setB({ ...b, title: val(e) }) }} />`}<//>
        <${Field} label="内容">${(id: string) => html`<textarea id=${id} required rows="4" value=${b.body} onInput=${(e: Event) => { setArmed(false); setB({ ...b, body: val(e) }) }}></textarea>`}<//>
        ${!armed ? html`<button class="danger big" type="submit" disabled=${!ready || vid === ''}>发出广播…</button>` : null}
      </form>
      ${armed ? html`<div class="confirm" role="alertdialog" aria-labelledby="bc-confirm">
        <p id="bc-confirm"><strong>请确认：</strong>输入村名「${village?.name ?? ''}」后发出，或按下方「确认发出」。</p>
        <${Field} label="输入村名确认">${(id: string) => html`<input id=${id} autocomplete="off" value=${typed} onInput=${(e: Event) => setTyped(val(e))} />`}<//>
        <div class="actions">
          <button class="danger big" data-action="broadcast-confirm" disabled=${act.busy} onClick=${start}>${confirmed ? '村名正确，立即发出' : '确认发出'}</button>
          <button onClick=${() => { setArmed(false); setTyped('') }}>取消</button>
        </div>
      </div>` : null}
      <${Ok} text=${ok} />${act.error !== null ? html`<p class="error" role="alert">${act.error}</p>` : null}
    <//>`
}
