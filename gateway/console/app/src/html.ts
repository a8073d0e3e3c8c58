// htm's preact binding: JSX-like templates without a compile step (htm/preact binds preact's h; the
// bundle keeps one copy of preact).
export { html } from 'htm/preact'
