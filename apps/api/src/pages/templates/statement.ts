/** One statement: the text as captured, its facts, versions with diffs, evidence, the verifier, citations. */
export const STATEMENT = `<article aria-labelledby="statement-heading">
<h1 id="statement-heading"><%= it.h.accountName(it.s.account) %>: <span dir="auto"<% if (it.textLang) { %> lang="<%= it.textLang %>"<% } %>><%= it.h.headline(it.shown.text, 70) %></span></h1>
<% if (it.shown.number !== it.latestNumber) { %><p class="meta" id="version-shown"><%= it.t.versionShown %> <%= it.shown.number %> / <%= it.latestNumber %> · <a href="/statements/<%= it.s.id %>"><%= it.t.latestVersion %></a></p><% } %>
<blockquote class="text" dir="auto"<% if (it.textLang) { %> lang="<%= it.textLang %>"<% } %>><%= it.shown.text %></blockquote>
<dl class="facts">
<dt><%= it.t.by %></dt><dd><a href="/accounts/<%= it.s.account.id %>"><%= it.h.accountName(it.s.account) %></a></dd>
<dt><%= it.t.platform %></dt><dd><%= it.s.platform %></dd>
<dt><%= it.t.authored %></dt><dd><time datetime="<%= it.s.authoredAt ?? '' %>"><%= it.h.time(it.s.authoredAt) %></time></dd>
<% if (it.shown.record.editedAt) { %><dt><%= it.t.editedByAuthor %></dt><dd><time datetime="<%= it.shown.record.editedAt %>"><%= it.h.time(it.shown.record.editedAt) %></time></dd>
<% } %><dt><%= it.t.captured %></dt><dd><time datetime="<%= it.s.firstCapturedAt %>"><%= it.h.time(it.s.firstCapturedAt) %></time></dd>
<dt><%= it.t.lastSeen %></dt><dd><time datetime="<%= it.s.lastSeenAt %>"><%= it.h.time(it.s.lastSeenAt) %></time></dd>
<dt><%= it.t.filterStatus %></dt><dd><span class="badge badge-<%= it.s.status %>" id="status-badge"><%= it.h.statusLabel(it.s.status) %></span><% if (it.s.versions.length > 1) { %> <span class="badge badge-edited"><%= it.t.statusEdited %></span><% } %><% if (it.s.statusChangedAt) { %> · <%= it.t.statusSince %>: <time datetime="<%= it.s.statusChangedAt %>"><%= it.h.time(it.s.statusChangedAt) %></time><% } %></dd>
<% const original = it.h.safeHref(it.s.url); if (original) { %><dt><%= it.t.original %></dt><dd><a href="<%= original %>" rel="noopener noreferrer nofollow"><%= original %></a></dd><% } %>
</dl>

<section aria-labelledby="versions-heading">
<h2 id="versions-heading"><%= it.t.versionsHeading %></h2>
<ol class="plain" id="versions">
<% for (const v of it.s.versions) { %><li id="version-<%= v.number %>">
<h3><%= it.t.version %> <%= v.number %></h3>
<p class="meta"><%= it.t.capturedAt %>: <time datetime="<%= v.capturedAt %>"><%= it.h.time(v.capturedAt) %></time><% if (v.record.editedAt) { %> · <%= it.t.editedByAuthor %>: <time datetime="<%= v.record.editedAt %>"><%= it.h.time(v.record.editedAt) %></time><% } %><% if (v.source === 'platform-history') { %> · <%= it.t.fromHistory %><% } %></p>
<% if (v.historyGap) { %><p class="meta history-gap"><%= v.historyGap.kind === 'cut-short' ? it.t.historyCutShort : it.t.historyNotRead %> <span lang="en">(<%= v.historyGap.detail %>)</span></p>
<% } %><% if (v.diff) { %><p class="sr-only"><%= it.t.changes %></p>
<p class="text diff" dir="auto"<% if (v.record.language) { %> lang="<%= v.record.language %>"<% } %>><% for (const part of v.diff) { %><% if (part.op === 'delete') { %><del><span class="sr-only">[<%= it.t.removed %>: </span><%= part.text %><span class="sr-only">]</span></del><% } else if (part.op === 'insert') { %><ins><span class="sr-only">[<%= it.t.added %>: </span><%= part.text %><span class="sr-only">]</span></ins><% } else { %><%= part.text %><% } %><% } %></p>
<% } else { %><p class="text" dir="auto"<% if (v.record.language) { %> lang="<%= v.record.language %>"<% } %>><%= v.text %></p>
<% } %><% if (v.artifacts.length || v.record.media.length) { %><details>
<summary><%= it.t.media %></summary>
<ul>
<% for (const m of v.record.media) { const href = it.h.safeHref(m.url); %><li><%= m.kind %>: <% if (href) { %><a href="<%= href %>" rel="noopener noreferrer nofollow"><%= href %></a><% } else { %><%= m.url %><% } %></li>
<% } %><% for (const a of v.artifacts) { %><li><a href="<%= a.url %>"><%= a.role %></a> <span class="meta">(<%= a.mediaType %>, <%= it.h.bytes(a.size) %>, SHA-256 <code><%= a.sha256 %></code>)</span></li>
<% } %></ul>
</details><% } %>
<% if (v.html) { %><details class="captured-html">
<summary><%= it.t.capturedHtml %></summary>
<pre><%= v.html %></pre>
</details><% } %>
</li>
<% } %></ol>
</section>

<% if (it.s.observations.length) { %><section aria-labelledby="status-heading">
<h2 id="status-heading"><%= it.t.statusChanges %></h2>
<ul>
<% for (const o of it.s.observations) { %><li><time datetime="<%= o.observedAt %>"><%= it.h.time(o.observedAt) %></time>: <%= it.h.statusLabel(o.previousStatus) %> → <%= it.h.statusLabel(o.status) %><% if (o.httpStatus) { %> (HTTP <%= o.httpStatus %>)<% } %><% if (o.reason) { %> · <%= it.t.reason %>: <code><%= o.reason %></code><% } %> · <a href="<%= o.evidenceUrl %>"><%= it.t.evidenceBundle %></a></li>
<% } %></ul>
</section><% } %>

<% if (it.s.quotedBy.length) { %><section aria-labelledby="quoted-by-heading" id="quoted-by">
<h2 id="quoted-by-heading"><%= it.t.quotedBy %></h2>
<p class="meta"><%= it.t.quotedByHelp %></p>
<ul>
<% for (const q of it.s.quotedBy) { %><li><a href="<%= q.url %>"><%= q.claimedHandle %></a> · <%= q.sources %> <%= it.t.quotedSources %><% if (q.text === null) { %> · <%= it.t.quotedLinkOnly %><% } else { %>: <q dir="auto"><%= it.h.headline(q.text, 140) %></q><% } %>
<% if (q.sourceUrls.length) { %><ul><% for (const u of q.sourceUrls) { const href = it.h.safeHref(u); %><li><% if (href) { %><a href="<%= href %>" rel="noopener noreferrer nofollow"><%= href %></a><% } else { %><%= u %><% } %></li><% } %></ul><% } %></li>
<% } %></ul>
</section><% } %>

<section class="panel" id="evidence" aria-labelledby="evidence-heading">
<h2 id="evidence-heading"><%= it.t.evidence %></h2>
<dl class="facts">
<dt><%= it.t.recordHash %></dt><dd><code id="record-sha256"><%= it.shown.recordSha256 %></code></dd>
<dt><%= it.t.logIndex %></dt><dd><%= it.logIndex ?? it.t.notSequenced %></dd>
<dt><%= it.t.evidenceLevel %></dt><dd><%= it.evidenceLevelText %></dd>
<% if (it.checkpoint) { %><dt><%= it.t.checkpoint %></dt><dd><a href="/log/checkpoint"><%= it.checkpoint.size %> · <code><%= it.checkpoint.rootHex %></code></a> (<time datetime="<%= it.checkpoint.createdAt %>"><%= it.h.time(it.checkpoint.createdAt) %></time>)</dd><% } %>
</dl>
<ul>
<li><a href="<%= it.bundleUrl %>"><%= it.t.evidenceBundle %></a></li>
<li><a href="/statements/<%= it.s.id %>.warc.gz"><%= it.t.warc %></a></li>
<li><a href="/log/key"><%= it.t.logKey %></a></li>
</ul>
<p><%= it.t.verifyHelp %></p>
<button type="button" id="verify-button" data-bundle-url="<%= it.bundleUrl %>" data-key-url="/log/key" data-statement-id="<%= it.s.id %>" data-version="<%= it.shown.number %>" data-record-sha256="<%= it.shown.recordSha256 %>"><%= it.t.verifyButton %></button>
<ol id="verify-steps" aria-live="polite"></ol>
</section>

<section class="panel" id="cite" aria-labelledby="cite-heading">
<h2 id="cite-heading"><%= it.t.cite %></h2>
<p><%= it.t.citeHelp %></p>
<% for (const c of it.citations) { %><% if (c.id === 'biblatex' || c.id === 'bibtex' || c.id === 'csl-json') { %><details>
<summary id="cite-<%= c.id %>-heading"><%= c.name %></summary>
<pre id="cite-<%= c.id %>" aria-labelledby="cite-<%= c.id %>-heading" tabindex="0"><%= c.text %></pre>
</details>
<% } else { %><h3 id="cite-<%= c.id %>-heading"><%= c.name %></h3>
<pre id="cite-<%= c.id %>" aria-labelledby="cite-<%= c.id %>-heading" tabindex="0"><%= c.text %></pre>
<% } %><% } %></section>
</article>
`;
