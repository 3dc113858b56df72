export const ACCOUNT = `<h1><%= it.h.accountName(it.account) %></h1>
<dl class="facts">
<dt><%= it.t.platform %></dt><dd><%= it.account.platform %></dd>
<% const profile = it.h.safeHref(it.account.url); if (profile) { %><dt><%= it.t.profile %></dt><dd><a href="<%= profile %>" rel="noopener noreferrer nofollow"><%= profile %></a></dd><% } %>
<dt><%= it.t.tracking %></dt><dd><%= it.account.tracking ? it.t.yes : it.t.no %><% if (it.account.paused) { %> (<%= it.t.paused %>)<% } %></dd>
</dl>
<p><a href="/feeds/accounts/<%= it.account.id %>.atom" type="application/atom+xml"><%= it.t.atomFeed %></a></p>
<section class="panel" aria-labelledby="health-heading">
<h2 id="health-heading"><%= it.t.captureHealth %></h2>
<dl class="facts">
<dt><%= it.t.lastPolled %></dt><dd><% if (it.account.lastPolledAt) { %><time datetime="<%= it.account.lastPolledAt %>"><%= it.h.time(it.account.lastPolledAt) %></time><% } else { %><%= it.t.unknown %><% } %></dd>
<dt><%= it.t.lastPollStatus %></dt><dd><%= it.account.lastPollStatus %></dd>
<dt><%= it.t.failures %></dt><dd><%= it.account.consecutiveFailures %></dd>
<% if (it.account.deferredSince) { %><dt><%= it.t.deferredSince %></dt><dd><time datetime="<%= it.account.deferredSince %>"><%= it.h.time(it.account.deferredSince) %></time>: <%= it.t.deferredHelp %></dd><% } %>
<% if (it.account.lastError) { %><dt><%= it.t.lastError %></dt><dd><%= it.account.lastError %></dd><% } %>
</dl>
</section>
<section aria-labelledby="timeline-heading">
<h2 id="timeline-heading"><%= it.t.timeline %></h2>
<%~ include('@list', { ...it, items: it.items, empty: it.t.nothingYet }) %>
<nav class="pager" aria-label="<%= it.t.timeline %>">
<% if (it.firstPageUrl) { %><a href="<%= it.firstPageUrl %>"><%= it.t.firstPage %></a><% } %>
<% if (it.nextPageUrl) { %><a href="<%= it.nextPageUrl %>" rel="next"><%= it.t.nextPage %></a><% } %>
</nav>
</section>
`;
