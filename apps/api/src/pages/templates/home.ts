export const HOME = `<h1><%= it.t.siteName %></h1>
<form class="search" role="search" method="get" action="/search">
<div><label for="q"><%= it.t.searchLabel %></label>
<input id="q" name="q" type="search" maxlength="500" size="40"></div>
<button type="submit"><%= it.t.searchButton %></button>
</form>
<section aria-labelledby="recent-heading">
<h2 id="recent-heading"><%= it.t.recentStatements %></h2>
<%~ include('@list', { ...it, items: it.recent, empty: it.t.nothingYet }) %>
</section>
<section aria-labelledby="accounts-heading">
<h2 id="accounts-heading"><%= it.t.trackedAccounts %></h2>
<% if (it.accounts.length === 0) { %><p><%= it.t.nothingYet %></p><% } else { %><ul>
<% for (const a of it.accounts) { %><li><a href="/accounts/<%= a.id %>"><%= it.h.accountName(a) %></a> <span class="meta">· <%= a.platform %></span></li>
<% } %></ul><% } %>
<% if (it.moreAccounts) { %><p class="meta"><%= it.t.moreAccounts %> <a href="/api/v1/accounts">/api/v1/accounts</a></p><% } %>
</section>
<section aria-labelledby="edited-heading">
<h2 id="edited-heading"><%= it.t.recentlyEdited %></h2>
<%~ include('@list', { ...it, items: it.edited, empty: it.t.nothingYet }) %>
</section>
<section aria-labelledby="deleted-heading">
<h2 id="deleted-heading"><%= it.t.recentlyDeleted %></h2>
<%~ include('@list', { ...it, items: it.deleted, empty: it.t.nothingYet }) %>
</section>
`;
