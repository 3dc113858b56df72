/** A list of statement summaries: who, when, status, and the snippet (when safe) or the text. */
export const STATEMENT_LIST = `<% if (it.items.length === 0) { %><p><%= it.empty %></p><% } else { %>
<ol class="statements">
<% for (const s of it.items) { %><li>
<p class="meta"><a href="/accounts/<%= s.account.id %>"><%= it.h.accountName(s.account) %></a> · <%= s.platform %> · <time datetime="<%= s.authoredAt ?? s.firstCapturedAt %>"><%= it.h.time(s.authoredAt ?? s.firstCapturedAt) %></time>
<span class="badge badge-<%= s.status %>"><%= it.h.statusLabel(s.status) %></span>
<% if (s.latestVersion > 1) { %> <span class="badge badge-edited"><%= it.t.statusEdited %></span><% } %></p>
<% if (s.safeSnippet) { %><p class="snippet" dir="auto"><%~ s.safeSnippet %></p><% } else { %><p class="text" dir="auto"><%= it.h.headline(s.text, 280) %></p><% } %>
<p><a href="/statements/<%= s.id %>"><%= it.t.version %> <%= s.latestVersion %> · <%= it.h.headline(s.text, 40) || s.id %></a></p>
</li>
<% } %></ol>
<% } %>`;
