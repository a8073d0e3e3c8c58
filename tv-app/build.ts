// Builds the TV app in memory: esbuild bundles tv-app/src (iife, ES2015 syntax), TypeScript lowers that
// to ES5 for Chrome 38-era WebViews (esbuild cannot lower classes/let/arrows to ES5 by itself), then
// esbuild re-minifies the ES5 (with target es5 it only renames and compacts, it never raises the syntax;
// test/tv-app/build.test.ts parses the result with acorn at ecmaVersion 5 to prove it).
// Nothing is written to disk: the gateway calls this at start-up and serves the strings.
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import * as esbuild from 'esbuild'
import ts from 'typescript'

export interface TvAppBuild {
  html: string
  js: string
  css: string
  /** Short content hash of the JS, used as its cache-busting query (?v=). */
  jsHash: string
  sizes: { jsBytes: number, jsGzip: number, cssBytes: number, htmlBytes: number, htmlGzip: number, criticalGzip: number }
}

const SRC = new URL('./src/', import.meta.url)

function gz (s: string): number { return gzipSync(Buffer.from(s), { level: 9 }).length }

export async function buildTvApp (): Promise<TvAppBuild> {
  const bundled = await esbuild.build({
    entryPoints: [new URL('main.ts', SRC).pathname],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2015',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'silent'
  })
  const es2015 = bundled.outputFiles[0]?.text ?? ''
  const es5 = ts.transpileModule(es2015, {
    fileName: 'app.js',
    compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.None, allowJs: true, removeComments: true, importHelpers: false }
  }).outputText
  const js = (await esbuild.transform(es5, { minify: true, target: 'es5', legalComments: 'none' })).code
  const css = (await esbuild.transform(readFileSync(new URL('styles.css', SRC), 'utf8'), { loader: 'css', minify: true })).code.trim()
  const jsHash = createHash('sha256').update(js).digest('hex').slice(0, 12)
  // The header is static so the clock area never flashes empty; app.js fills it within a frame.
  const html = '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><title>安居 · 一村一屏</title>' +
    '<style>' + css + '</style></head><body data-screen="home"><div id="app"><header id="bar">' +
    '<span id="clock"></span><span id="date"></span><span id="lunar"></span><span id="who"></span><span id="updated-at"></span>' +
    '</header><main id="screen"></main></div><div id="takeover" hidden></div>' +
    '<script src="app.js?v=' + jsHash + '"></script></body></html>'
  const jsGzip = gz(js)
  const htmlGzip = gz(html)
  return {
    html,
    js,
    css,
    jsHash,
    sizes: { jsBytes: Buffer.byteLength(js), jsGzip, cssBytes: Buffer.byteLength(css), htmlBytes: Buffer.byteLength(html), htmlGzip, criticalGzip: htmlGzip + jsGzip }
  }
}
