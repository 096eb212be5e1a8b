/** Inside the shadow root: the host page's CSS cannot reach in, and `all: initial` stops inherited styles. */
export const css = (color: string): string => `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif; }
.root { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; font-size: 14px; line-height: 1.45; color: #111827; }
.bubble { width: 56px; height: 56px; border-radius: 50%; border: 0; background: ${color}; color: #fff; cursor: pointer; box-shadow: 0 6px 20px rgba(0,0,0,.25); display: flex; align-items: center; justify-content: center; position: relative; }
.bubble svg { width: 26px; height: 26px; fill: currentColor; }
.bubble:focus-visible, button:focus-visible, textarea:focus-visible, input:focus-visible, .attach:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.dot { width: 10px; height: 10px; border-radius: 50%; background: #9ca3af; display: inline-block; }
.dot.on { background: #22c55e; }
.bubble .dot { position: absolute; right: 3px; bottom: 3px; border: 2px solid #fff; width: 14px; height: 14px; }
.badge { position: absolute; top: -4px; right: -4px; background: #ef4444; color: #fff; border-radius: 10px; min-width: 20px; height: 20px; font-size: 12px; display: flex; align-items: center; justify-content: center; padding: 0 5px; }
.panel { position: absolute; right: 0; bottom: 72px; width: 360px; max-width: calc(100vw - 40px); height: 540px; max-height: calc(100vh - 120px); background: #fff; border-radius: 14px; box-shadow: 0 12px 40px rgba(0,0,0,.25); display: flex; flex-direction: column; overflow: hidden; }
[hidden] { display: none !important; }
header { background: ${color}; color: #fff; padding: 14px 16px; display: flex; align-items: center; gap: 10px; }
header .who { flex: 1; min-width: 0; }
header .title { font-weight: 600; font-size: 16px; }
header .state { font-size: 12px; opacity: .9; display: flex; align-items: center; gap: 6px; }
header .avatar { width: 32px; height: 32px; border-radius: 50%; background: rgba(255,255,255,.25); display: flex; align-items: center; justify-content: center; font-weight: 600; }
header button { background: transparent; border: 0; color: #fff; font-size: 22px; cursor: pointer; line-height: 1; padding: 4px 8px; border-radius: 6px; }
.notice { background: #fef3c7; color: #92400e; padding: 8px 14px; font-size: 13px; }
.log { flex: 1; overflow-y: auto; padding: 14px; display: flex; flex-direction: column; gap: 8px; background: #f9fafb; }
.msg { max-width: 80%; display: flex; flex-direction: column; }
.msg .body { padding: 8px 12px; border-radius: 14px; white-space: pre-wrap; word-wrap: break-word; overflow-wrap: anywhere; }
.msg.visitor { align-self: flex-end; align-items: flex-end; }
.msg.visitor .body { background: ${color}; color: #fff; border-bottom-right-radius: 4px; }
.msg.agent .body { background: #fff; border: 1px solid #e5e7eb; border-bottom-left-radius: 4px; }
.msg .meta { font-size: 11px; color: #6b7280; margin-top: 2px; }
.msg.failed .meta { color: #b91c1c; }
.msg img { max-width: 220px; max-height: 220px; border-radius: 8px; display: block; margin-top: 4px; }
.msg a { color: inherit; }
.choices { display: flex; flex-wrap: wrap; gap: 6px; align-self: flex-start; max-width: 90%; }
.choice { background: #fff; color: ${color}; border: 1px solid ${color}; border-radius: 16px; padding: 5px 12px; cursor: pointer; font-size: 13px; }
.choice:hover { background: #eff6ff; }
.system { align-self: center; font-size: 12px; color: #6b7280; text-align: center; }
.typing { padding: 0 16px 6px; font-size: 12px; color: #6b7280; background: #f9fafb; }
form { margin: 0; }
.composer { display: flex; align-items: flex-end; gap: 6px; padding: 10px; border-top: 1px solid #e5e7eb; }
textarea { flex: 1; resize: none; border: 1px solid #d1d5db; border-radius: 10px; padding: 8px 10px; font-size: 14px; max-height: 120px; min-height: 38px; color: #111827; background: #fff; }
.attach { cursor: pointer; width: 36px; height: 36px; border-radius: 8px; display: flex; align-items: center; justify-content: center; color: #4b5563; }
.attach svg { width: 20px; height: 20px; fill: currentColor; }
.primary { background: ${color}; color: #fff; border: 0; border-radius: 10px; padding: 9px 14px; cursor: pointer; font-size: 14px; }
.card { padding: 16px; display: flex; flex-direction: column; gap: 10px; overflow-y: auto; }
.card label { display: flex; flex-direction: column; gap: 4px; font-size: 13px; color: #374151; }
.card input, .inline input { border: 1px solid #d1d5db; border-radius: 8px; padding: 8px 10px; font-size: 14px; color: #111827; background: #fff; }
.field-error { color: #b91c1c; font-size: 12px; min-height: 0; }
input[aria-invalid="true"] { border-color: #b91c1c; }
.inline { display: flex; flex-direction: column; gap: 6px; padding: 10px 14px; background: #eff6ff; font-size: 13px; }
.inline .row { display: flex; gap: 6px; }
.inline input { flex: 1; }
.error { color: #b91c1c; font-size: 12px; padding: 0 14px 8px; }
.quote { margin: 0 0 4px; padding: 2px 8px; border-left: 3px solid #9ca3af; color: #4b5563; font-size: 12px; white-space: pre-wrap; }
.product-card { display: flex; gap: 8px; margin-top: 6px; padding: 6px; border: 1px solid #e5e7eb; border-radius: 8px; background: #fff; color: #111827; text-decoration: none; }
.product-card img { width: 56px; height: 56px; object-fit: cover; border-radius: 6px; }
.card-title { font-weight: 600; font-size: 13px; }
.card-field { font-size: 12px; color: #4b5563; }
.card-price { color: #059669; font-weight: 600; }
`
