export const SEARCH = `<h1><%= it.t.navSearch %></h1>
<form class="search" role="search" method="get" action="/search">
<div><label for="q"><%= it.t.searchLabel %></label>
<input id="q" name="q" type="search" maxlength="500" size="40" value="<%= it.form.q ?? '' %>"></div>
<fieldset>
<legend><%= it.t.filters %></legend>
<div><label for="account"><%= it.t.filterAccount %></label>
<select id="account" name="account"><option value=""><%= it.t.any %></option>
<% for (const a of it.accounts) { %><option value="<%= a.id %>"<% if (it.form.account === a.id) { %> selected<% } %>><%= it.h.accountName(a) %></option>
<% } %></select><% if (it.moreAccounts) { %> <span class="meta"><%= it.t.moreAccountsFilter %></span><% } %></div>
<div><label for="platform"><%= it.t.filterPlatform %></label>
<select id="platform" name="platform"><option value=""><%= it.t.any %></option>
<% for (const p of it.platforms) { %><option value="<%= p %>"<% if (it.form.platform === p) { %> selected<% } %>><%= p %></option>
<% } %></select></div>
<div><label for="since"><%= it.t.filterSince %></label>
<input id="since" name="since" type="date" value="<%= it.form.since ?? '' %>"></div>
<div><label for="until"><%= it.t.filterUntil %></label>
<input id="until" name="until" type="date" value="<%= it.form.until ?? '' %>"></div>
<div><label for="status"><%= it.t.filterStatus %></label>
<select id="status" name="status"><option value=""><%= it.t.any %></option>
<% for (const s of it.statuses) { %><option value="<%= s %>"<% if (it.form.status === s) { %> selected<% } %>><%= it.h.statusLabel(s) %></option>
<% } %></select></div>
<div><label for="language"><%= it.t.filterLanguage %></label>
<input id="language" name="language" type="text" size="6" maxlength="35" value="<%= it.form.language ?? '' %>" autocomplete="off"></div>
</fieldset>
<button type="submit"><%= it.t.applyFilters %></button>
</form>
<section aria-labelledby="results-heading">
<h2 id="results-heading"><%= it.t.results %></h2>
<%~ include('@list', { ...it, items: it.items, empty: it.t.noResults }) %>
<nav class="pager" aria-label="<%= it.t.results %>">
<% if (it.firstPageUrl) { %><a href="<%= it.firstPageUrl %>"><%= it.t.firstPage %></a><% } %>
<% if (it.nextPageUrl) { %><a href="<%= it.nextPageUrl %>" rel="next"><%= it.t.nextPage %></a><% } %>
</nav>
<p><%= it.t.export %>: <a href="<%= it.csvUrl %>" download><%= it.t.exportCsv %></a> · <a href="<%= it.jsonlUrl %>" download><%= it.t.exportJsonl %></a></p>
</section>
`;
