import { Injectable } from '@nestjs/common';
import { Eta } from 'eta';
import { MESSAGES, type Language } from './i18n';
import { viewHelpers } from './view-helpers';
import { ACCOUNT } from './templates/account';
import { ERROR } from './templates/error';
import { HOME } from './templates/home';
import { LAYOUT } from './templates/layout';
import { SEARCH } from './templates/search';
import { STATEMENT } from './templates/statement';
import { STATEMENT_LIST } from './templates/statement-list';

export type PageName = 'home' | 'search' | 'account' | 'statement' | 'error';

const PAGES: Record<PageName, string> = {
  home: HOME,
  search: SEARCH,
  account: ACCOUNT,
  statement: STATEMENT,
  error: ERROR,
};

/** What the layout needs besides the page's own data. */
export interface PageFrame {
  language: Language;
  nonce: string;
  title: string;
  /** the page's own path and query, without lang: the language switch links to it with ?lang= */
  pathAndQuery: string;
  meta?: { name: string; content: string }[];
  links?: { rel: string; type: string; href: string; title: string }[];
  scripts?: string[];
}

/** Renders pages with Eta, escaping every interpolation unless a template asks for raw output (<%~ %>). */
@Injectable()
export class PageRenderer {
  private readonly eta = new Eta({ autoEscape: true, cache: true, useWith: false, varName: 'it' });

  constructor() {
    this.eta.loadTemplate('@layout', LAYOUT);
    this.eta.loadTemplate('@list', STATEMENT_LIST);
    for (const [name, template] of Object.entries(PAGES)) this.eta.loadTemplate(`@${name}`, template);
  }

  render(page: PageName, frame: PageFrame, data: object): string {
    const t = MESSAGES[frame.language];
    const common = { t, h: viewHelpers(frame.language, t), lang: frame.language };
    const body = this.eta.render(`@${page}`, { ...common, ...data });
    return this.eta.render('@layout', {
      ...common,
      nonce: frame.nonce,
      title: frame.title,
      meta: frame.meta,
      links: frame.links,
      scripts: frame.scripts,
      langLinks: { en: withLang(frame.pathAndQuery, 'en'), uk: withLang(frame.pathAndQuery, 'uk') },
      body,
    });
  }
}

/** The same page in another interface language. */
export function withLang(pathAndQuery: string, language: Language): string {
  const url = new URL(pathAndQuery, 'http://x');
  url.searchParams.set('lang', language);
  return `${url.pathname}${url.search}`;
}
