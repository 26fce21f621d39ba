import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { Mailer, OutgoingEmail } from '../domain/ports.ts';

/** Sends through Amazon SES (the SES emulator locally). */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESClient,
    private readonly from: string,
  ) {}

  async send(email: OutgoingEmail): Promise<string> {
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
  }
}
