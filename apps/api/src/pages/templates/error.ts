export const ERROR = `<h1><%= it.heading %></h1>
<% for (const line of it.messages) { %><p class="error-message"><%= line %></p>
<% } %><p><a href="/"><%= it.t.backHome %></a></p>
`;
