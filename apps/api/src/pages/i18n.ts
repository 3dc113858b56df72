import { parse as parseCookies } from 'cookie';

/** The interface languages of the reading room. Captured text keeps its own language. */
export const LANGUAGES = ['en', 'uk'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_COOKIE = 'verbatim_lang';

const EN = {
  siteName: 'Verbatim reading room',
  skipToContent: 'Skip to content',
  navHome: 'Home',
  navSearch: 'Search',
  languageSwitch: 'Interface language',
  mainNav: 'Main',
  searchLabel: 'Search statements',
  searchButton: 'Search',
  recentStatements: 'Recent statements',
  trackedAccounts: 'Tracked accounts',
  moreAccounts: 'Only the first tracked accounts are listed here; the API lists them all:',
  moreAccountsFilter:
    'Only the first tracked accounts are in this list; for another, add account=<its id> to the address.',
  recentlyEdited: 'Edited statements',
  recentlyDeleted: 'Deleted statements',
  nothingYet: 'Nothing yet.',
  filters: 'Filters',
  filterAccount: 'Account',
  filterPlatform: 'Platform',
  filterSince: 'Authored on or after',
  filterUntil: 'Authored on or before',
  filterStatus: 'Status',
  filterLanguage: 'Language of the statement',
  any: 'Any',
  applyFilters: 'Apply filters',
  results: 'Results',
  noResults: 'No statement matches.',
  nextPage: 'Next page',
  firstPage: 'First page',
  export: 'Export these results',
  exportCsv: 'CSV',
  exportJsonl: 'JSON Lines',
  statusActive: 'active',
  statusMissing: 'not found once',
  statusDeleted: 'deleted',
  statusUnavailable: 'unavailable',
  statusEdited: 'edited',
  authored: 'Authored',
  captured: 'First captured',
  lastSeen: 'Last seen',
  statusSince: 'Status changed',
  unknown: 'unknown',
  original: 'Original post',
  profile: 'Profile on the platform',
  editedByAuthor: 'Edited by the author',
  versionsHeading: 'Version history',
  version: 'Version',
  versionShown: 'This page shows version',
  latestVersion: 'See the latest version',
  capturedAt: 'Captured',
  fromHistory: 'read from the platform’s edit history',
  historyNotRead: 'Edits made before this version may be missing: the platform’s edit history was not read',
  historyCutShort:
    'Some edits made before this version are missing: only part of the platform’s edit history was kept',
  changes: 'Changes from the previous version',
  removed: 'removed',
  added: 'added',
  capturedHtml: 'HTML as captured (shown as text)',
  media: 'Media and raw artifacts',
  evidence: 'Evidence',
  recordHash: 'Record SHA-256',
  logIndex: 'Log index',
  notSequenced: 'not in the log yet',
  checkpoint: 'Latest signed checkpoint',
  evidenceLevel: 'Evidence level',
  levelPlatformSigned: 'Signed by the platform itself, and the signature checked by this archive',
  levelCaptured: 'Captured by this archive directly from the platform',
  levelQuoted: 'Quoted from a secondary source (such as an article), not read from the platform',
  levelOther: 'Recorded as',
  evidenceBundle: 'Evidence bundle (JSON)',
  warc: 'WARC file',
  logKey: 'Log public key',
  verifyButton: 'Verify in this browser',
  verifyHelp: 'Checks the bundle’s hashes, inclusion proof and checkpoint signature in your browser.',
  statusChanges: 'Status changes',
  reason: 'reason',
  quotedBy: 'Quoted by',
  quotedByHelp:
    'Documents that quote or embed this post, as read by this archive: their claims, not captures.',
  quotedSources: 'source(s)',
  quotedLinkOnly: 'links to the post, without its words',
  cite: 'Cite',
  citeHelp: 'Each citation carries the permalink, the capture time and the record’s SHA-256.',
  accountHeading: 'Account',
  captureHealth: 'Capture health',
  lastPolled: 'Last polled',
  lastPollStatus: 'Last poll',
  failures: 'Consecutive failures',
  deferredSince: 'Polls deferred since',
  deferredHelp:
    'this archive was too busy to poll the account (its own load, not the source); it is tried again on its own',
  lastError: 'Last error',
  tracking: 'Tracking',
  yes: 'yes',
  no: 'no',
  paused: 'paused',
  atomFeed: 'Atom feed of this account',
  timeline: 'Timeline',
  notFoundTitle: 'Not found',
  badRequestTitle: 'Check the request',
  errorTitle: 'Something went wrong',
  errorBody: 'The server could not answer this page; its log has the details.',
  unauthorizedTitle: 'This archive is not public',
  backHome: 'Back to the reading room',
  footer: 'Statements captured byte-exact and logged in an append-only, signed Merkle log.',
  by: 'Author',
  platform: 'Platform',
};

export type Messages = typeof EN;

const UK: Messages = {
  siteName: 'Читальна зала Verbatim',
  skipToContent: 'Перейти до змісту',
  navHome: 'Головна',
  navSearch: 'Пошук',
  languageSwitch: 'Мова інтерфейсу',
  mainNav: 'Головне меню',
  searchLabel: 'Пошук заяв',
  searchButton: 'Шукати',
  recentStatements: 'Останні заяви',
  trackedAccounts: 'Відстежувані акаунти',
  moreAccounts: 'Тут показано лише перші відстежувані акаунти; API показує всі:',
  moreAccountsFilter:
    'У списку лише перші відстежувані акаунти; для іншого додайте до адреси account=<його id>.',
  recentlyEdited: 'Змінені заяви',
  recentlyDeleted: 'Видалені заяви',
  nothingYet: 'Поки нічого немає.',
  filters: 'Фільтри',
  filterAccount: 'Акаунт',
  filterPlatform: 'Платформа',
  filterSince: 'Опубліковано не раніше',
  filterUntil: 'Опубліковано не пізніше',
  filterStatus: 'Стан',
  filterLanguage: 'Мова заяви',
  any: 'Будь-який',
  applyFilters: 'Застосувати фільтри',
  results: 'Результати',
  noResults: 'Жодна заява не відповідає запиту.',
  nextPage: 'Наступна сторінка',
  firstPage: 'Перша сторінка',
  export: 'Експортувати ці результати',
  exportCsv: 'CSV',
  exportJsonl: 'JSON Lines',
  statusActive: 'активна',
  statusMissing: 'один раз не знайдена',
  statusDeleted: 'видалена',
  statusUnavailable: 'недоступна',
  statusEdited: 'змінена',
  authored: 'Опубліковано',
  captured: 'Вперше збережено',
  lastSeen: 'Востаннє бачили',
  statusSince: 'Стан змінився',
  unknown: 'невідомо',
  original: 'Оригінальний допис',
  profile: 'Профіль на платформі',
  editedByAuthor: 'Відредаговано автором',
  versionsHeading: 'Історія версій',
  version: 'Версія',
  versionShown: 'Ця сторінка показує версію',
  latestVersion: 'Остання версія',
  capturedAt: 'Збережено',
  fromHistory: 'прочитано з історії редагувань платформи',
  historyNotRead:
    'Правки, зроблені до цієї версії, можуть бути відсутні: історію редагувань платформи не прочитано',
  historyCutShort:
    'Частини правок, зроблених до цієї версії, тут немає: з історії редагувань платформи збережено лише частину',
  changes: 'Зміни порівняно з попередньою версією',
  removed: 'вилучено',
  added: 'додано',
  capturedHtml: 'HTML у збереженому вигляді (як текст)',
  media: 'Медіа та сирі артефакти',
  evidence: 'Докази',
  recordHash: 'SHA-256 запису',
  logIndex: 'Індекс у журналі',
  notSequenced: 'ще не в журналі',
  checkpoint: 'Остання підписана контрольна точка',
  evidenceLevel: 'Рівень доказовості',
  levelPlatformSigned: 'Підписано самою платформою; підпис перевірено цим архівом',
  levelCaptured: 'Збережено цим архівом безпосередньо з платформи',
  levelQuoted: 'Процитовано з іншого джерела (наприклад, статті), а не прочитано з платформи',
  levelOther: 'Записано як',
  evidenceBundle: 'Пакет доказів (JSON)',
  warc: 'Файл WARC',
  logKey: 'Публічний ключ журналу',
  verifyButton: 'Перевірити в цьому браузері',
  verifyHelp: 'Перевіряє хеші пакета, доказ включення та підпис контрольної точки у вашому браузері.',
  statusChanges: 'Зміни стану',
  reason: 'причина',
  quotedBy: 'Цитують',
  quotedByHelp:
    'Документи, що цитують або вбудовують цей допис, як їх прочитав цей архів: їхні твердження, а не збереження.',
  quotedSources: 'джерел(а)',
  quotedLinkOnly: 'посилається на допис без його слів',
  cite: 'Цитувати',
  citeHelp: 'Кожне посилання містить постійну адресу, час збереження та SHA-256 запису.',
  accountHeading: 'Акаунт',
  captureHealth: 'Стан збирання',
  lastPolled: 'Остання перевірка',
  lastPollStatus: 'Результат перевірки',
  failures: 'Невдач поспіль',
  deferredSince: 'Перевірки відкладено з',
  deferredHelp:
    'архів був надто завантажений, щоб перевірити акаунт (його власне навантаження, а не джерело); перевірку буде повторено автоматично',
  lastError: 'Остання помилка',
  tracking: 'Відстежується',
  yes: 'так',
  no: 'ні',
  paused: 'призупинено',
  atomFeed: 'Atom-стрічка цього акаунта',
  timeline: 'Стрічка',
  notFoundTitle: 'Не знайдено',
  badRequestTitle: 'Перевірте запит',
  errorTitle: 'Щось пішло не так',
  errorBody: 'Сервер не зміг показати цю сторінку; подробиці в його журналі.',
  unauthorizedTitle: 'Цей архів не є публічним',
  backHome: 'Повернутися до читальної зали',
  footer: 'Заяви збережено побайтово й записано до незмінного підписаного журналу Меркла.',
  by: 'Автор',
  platform: 'Платформа',
};

export const MESSAGES: Record<Language, Messages> = { en: EN, uk: UK };

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The first supported language of an Accept-Language header, by quality then order. */
export function fromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, order) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      return { primary: tag.trim().toLowerCase().split('-')[0], q: q ? Number(q[1]) : 1, order };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order);
  return ranked.map((entry) => entry.primary).find(isLanguage);
}

/**
 * `?lang=` (the visible switch) wins and is remembered; then the cookie it set; then Accept-Language; then English.
 * `remember` is set when the answer should (re)set the cookie.
 */
export function chooseLanguage(
  queryLang: unknown,
  cookieHeader: string | undefined,
  acceptLanguage: string | undefined,
): { language: Language; remember: boolean } {
  if (isLanguage(queryLang)) return { language: queryLang, remember: true };
  const cookie = cookieHeader ? parseCookies(cookieHeader)[LANGUAGE_COOKIE] : undefined;
  if (isLanguage(cookie)) return { language: cookie, remember: false };
  return { language: fromAcceptLanguage(acceptLanguage) ?? 'en', remember: false };
}
