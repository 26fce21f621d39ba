/** The page of an emailed one-click link; the console serves itself there (also `/act/<token>` of older mails). */
export const ACT_PAGE = '/act';
/** The console's query parameter that opens a grant's receipt. */
export const RECEIPT_PARAMETER = 'receipt';

/** The console's pages that mails point at: the one place their URLs are built. */
export function consoleUrls(consoleUrl: string) {
  const base = consoleUrl.replace(/\/+$/, '');
  return {
    /**
     * An emailed link's page, its token in the fragment: browsers never send a fragment, so no
     * server, CDN or access log ever records the token (the page removes it from the address bar).
     */
    link: (token: string) => `${base}${ACT_PAGE}#${token}`,
    receipt: (grantId: string) => `${base}/?${RECEIPT_PARAMETER}=${encodeURIComponent(grantId)}`,
  };
}
