/** Every page: landmarks, skip link, language switch, the one stylesheet (inline, with the response's nonce). */
export const LAYOUT = `<!doctype html>
<html lang="<%= it.lang %>">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><%= it.title %> · <%= it.t.siteName %></title>
<% for (const meta of it.meta ?? []) { %><meta name="<%= meta.name %>" content="<%= meta.content %>">
<% } %><% for (const link of it.links ?? []) { %><link rel="<%= link.rel %>" type="<%= link.type %>" href="<%= link.href %>" title="<%= link.title %>">
<% } %><style nonce="<%= it.nonce %>">
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:1rem/1.55 system-ui,-apple-system,"Segoe UI","Noto Sans",Roboto,sans-serif;color:#1a1a1a;background:#fff}
a{color:#0b4fbd}
a:hover{color:#062f70}
:focus-visible{outline:3px solid #0b4fbd;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:1}
.skip:focus{left:.5rem}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
header.site,footer.site{background:#f3f5f8;border-bottom:1px solid #d0d7de;padding:.75rem 1rem}
footer.site{border-top:1px solid #d0d7de;border-bottom:0;margin-top:3rem;font-size:.9rem}
header.site .bar{max-width:60rem;margin:0 auto;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between}
header.site .brand{font-weight:700;color:#1a1a1a;text-decoration:none}
nav ul{list-style:none;margin:0;padding:0;display:flex;gap:1rem;flex-wrap:wrap}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;line-height:1.25}
h2{font-size:1.25rem;margin-top:2rem}
.lang-switch a[aria-current]{font-weight:700;color:#1a1a1a;text-decoration:none}
form.search{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}
label{display:block;font-weight:600;font-size:.95rem}
input,select,button{font:inherit;padding:.4rem .5rem;border:1px solid #5f6b7a;border-radius:4px;background:#fff;color:#1a1a1a;min-height:2.5rem}
button{background:#0b4fbd;color:#fff;border-color:#0b4fbd;cursor:pointer}
fieldset{border:1px solid #d0d7de;border-radius:6px;display:flex;flex-wrap:wrap;gap:.75rem}
ol.statements,ol.plain,ul.plain{list-style:none;padding:0}
ol.statements>li{border-bottom:1px solid #d0d7de;padding:.75rem 0}
.meta{color:#4a5563;font-size:.9rem}
.text,.snippet{white-space:pre-wrap;overflow-wrap:anywhere}
blockquote.text{margin:1rem 0;padding:.75rem 1rem;border-left:4px solid #5f6b7a;background:#f8f9fb;font-size:1.1rem}
.badge{display:inline-block;padding:0 .45rem;border-radius:999px;font-size:.85rem;font-weight:600;border:1px solid currentColor}
.badge-active{color:#0d5c2b;background:#e6f4ea}
.badge-edited{color:#6b4500;background:#fef7e0}
.badge-deleted{color:#a00d0d;background:#fce8e6}
.badge-missing,.badge-unavailable{color:#37474f;background:#eceff1}
mark{background:#fff3b0;color:#1a1a1a}
del{background:#fce8e6;color:#7a0a0a}
ins{background:#e6f4ea;color:#0a4d22}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;overflow-wrap:anywhere}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9rem;overflow-wrap:anywhere}
pre{white-space:pre-wrap;background:#f8f9fb;padding:.75rem;border:1px solid #d0d7de}
section.panel{border:1px solid #d0d7de;border-radius:6px;padding:0 1rem 1rem;margin-top:2rem}
.pager{display:flex;gap:1rem;margin-top:1rem}
@media (max-width:40rem){dl.facts{grid-template-columns:1fr}dl.facts dt{margin-top:.5rem}}
</style>
</head>
<body>
<a class="skip" href="#content"><%= it.t.skipToContent %></a>
<header class="site">
<div class="bar">
<a class="brand" href="/"><%= it.t.siteName %></a>
<nav aria-label="<%= it.t.mainNav %>">
<ul>
<li><a href="/"><%= it.t.navHome %></a></li>
<li><a href="/search"><%= it.t.navSearch %></a></li>
</ul>
</nav>
<nav class="lang-switch" aria-label="<%= it.t.languageSwitch %>">
<ul>
<li><a href="<%= it.langLinks.en %>" lang="en" hreflang="en"<% if (it.lang === 'en') { %> aria-current="true"<% } %>>English</a></li>
<li><a href="<%= it.langLinks.uk %>" lang="uk" hreflang="uk"<% if (it.lang === 'uk') { %> aria-current="true"<% } %>>Українська</a></li>
</ul>
</nav>
</div>
</header>
<main id="content" tabindex="-1">
<%~ it.body %>
</main>
<footer class="site"><p><%= it.t.footer %></p></footer>
<% for (const src of it.scripts ?? []) { %><script src="<%= src %>" defer nonce="<%= it.nonce %>"></script>
<% } %></body>
</html>
`;
