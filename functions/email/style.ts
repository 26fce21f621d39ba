/** The name a mail's header shows when the deployment names none (`MAIL_BRAND_NAME`). */
export const DEFAULT_BRAND_NAME = 'Support access';

/** How a deployment presents its mails. */
export interface MailStyle {
  /** The vendor's name in every mail's header. */
  brand?: string | undefined;
}
