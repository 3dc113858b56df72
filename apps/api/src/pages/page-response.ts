import { type Request, type Response } from 'express';
import { contentSecurityPolicy, newNonce } from './csp';
import { chooseLanguage, LANGUAGE_COOKIE, type Language } from './i18n';

const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/** The language and nonce of one page response, with its security headers already set. */
export interface PageRequest {
  language: Language;
  nonce: string;
  /** path and query without `lang`: what the language switch and pagers link to */
  pathAndQuery: string;
}

/** Sets what every page answer carries (CSP with a fresh nonce, no sniffing, language cookie) and picks the language. */
export function startPage(req: Request, res: Response): PageRequest {
  const { language, remember } = chooseLanguage(
    req.query.lang,
    req.headers.cookie,
    req.headers['accept-language'],
  );
  const nonce = newNonce();
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(nonce));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Vary', 'Accept-Language, Cookie');
  if (remember) {
    res.cookie(LANGUAGE_COOKIE, language, {
      maxAge: ONE_YEAR_MS,
      sameSite: 'lax',
      httpOnly: true,
      path: '/',
    });
  }
  const url = new URL(req.originalUrl, 'http://x');
  url.searchParams.delete('lang');
  return { language, nonce, pathAndQuery: `${url.pathname}${url.search}` };
}

/** The same path with `changes` applied to its query (undefined removes a parameter). */
export function withQuery(pathAndQuery: string, changes: Record<string, string | undefined>): string {
  const url = new URL(pathAndQuery, 'http://x');
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  return `${url.pathname}${url.search}`;
}
