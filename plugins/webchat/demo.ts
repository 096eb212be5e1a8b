/** A pretend shop with the widget on it: what a seller's site looks like with the snippet pasted in. */
export function demoPage (channelId: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Omnihub demo shop</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1f2937; background: #f9fafb; }
  header { background: #111827; color: #fff; padding: 16px 32px; font-weight: 600; }
  main { max-width: 880px; margin: 32px auto; padding: 0 24px; }
  .products { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 20px; }
  .product { background: #fff; border: 1px solid #e5e7eb; border-radius: 12px; padding: 16px; }
  .product .img { height: 120px; border-radius: 8px; background: linear-gradient(135deg, #c7d2fe, #fbcfe8); margin-bottom: 12px; }
  .price { color: #059669; font-weight: 600; }
  .note { margin-top: 32px; padding: 16px; background: #eef2ff; border-radius: 8px; }
  code { background: #e5e7eb; padding: 2px 4px; border-radius: 4px; }
</style>
</head>
<body>
<header>Omnihub demo shop</header>
<main>
  <h1>Spring collection</h1>
  <div class="products">
    <div class="product"><div class="img"></div><div>Linen shirt</div><div class="price">¥199</div></div>
    <div class="product"><div class="img"></div><div>Canvas tote</div><div class="price">¥89</div></div>
    <div class="product"><div class="img"></div><div>Walking shoes</div><div class="price">¥459</div></div>
  </div>
  <p class="note">You are a customer here: open the chat bubble at the bottom right and write to the shop.
  Then answer as an agent in <a href="/inbox/" target="_blank" rel="noopener">the inbox</a> (the first start printed
  a sign-in link) — in another window, to see both sides; programs use the API (<a href="/docs">/docs</a>).
  This page is the snippet a seller pastes:
  <code>&lt;script src="https://YOUR-HUB/channels/${channelId}/widget.js" async&gt;&lt;/script&gt;</code>. Turn it off with <code>demo: false</code>.</p>
</main>
<script src="/channels/${channelId}/widget.js" async></script>
</body>
</html>
`
}
