import { GetSendQuotaCommand, type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { type Mailer, MailThrottledError, type OutgoingEmail, type SendQuota } from '../domain/ports.ts';

/** Sends through Amazon SES (the SES emulator locally). */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESClient,
    private readonly from: string,
  ) {}

  async send(email: OutgoingEmail): Promise<string> {
    try {
      const result = await this.client.send(
        new SendEmailCommand({
          Source: this.from,
          Destination: { ToAddresses: [email.to] },
          Message: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
          },
        }),
      );
      return result.MessageId ?? '';
    } catch (error) {
      throw throttled(error) ?? error;
    }
  }

  async quota(): Promise<SendQuota> {
    const q = await this.client.send(new GetSendQuotaCommand({}));
    // SES states no limit as -1.
    const limit = (value: number | undefined) => (value === undefined || value < 0 ? null : value);
    return {
      maxSendRate: limit(q.MaxSendRate),
      max24HourSend: limit(q.Max24HourSend),
      sentLast24Hours: q.SentLast24Hours ?? 0,
    };
  }
}

/**
 * SES answers a send over the account's quota with the error code `Throttling` and says which
 * quota in the message ("Maximum sending rate exceeded." / "Daily message quota exceeded.").
 */
function throttled(error: unknown): MailThrottledError | null {
  const e = error as { name?: string; message?: string };
  if (e?.name !== 'Throttling') return null;
  const message = e.message ?? '';
  return new MailThrottledError(/daily/i.test(message) ? 'daily' : 'rate', message);
}
