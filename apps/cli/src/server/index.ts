// The composition root: the one place that assembles the roles (ApiModule from apps/api, WorkerModule from
// apps/worker) into a process. It lives in the CLI because `verbatim serve --role all|api|worker` is already
// the only way a server starts (npm start, Docker, the e2e suites, the demo), so the API and the worker need
// no entry points of their own, and a separate apps/server would be one more app importing apps. The lint
// rule in eslint.config.mjs allows exactly this: apps/cli may import the public index of @app/api and
// @app/worker; no other app imports an app.
export * from './app.module';
export * from './create-app';
export * from './run-server';
