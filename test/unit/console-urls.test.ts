import { describe, expect, it } from 'vitest';
import { consoleUrls } from '../../functions/domain/console-urls.ts';

describe('the console’s URLs in mails', () => {
  it('carry a link’s token in the fragment, never the path or query', () => {
    const url = new URL(consoleUrls('https://console.vendor.example/').link('tok_en-123'));
    expect(url.pathname).toBe('/act');
    expect(url.search).toBe('');
    expect(url.hash).toBe('#tok_en-123');
  });

  it('open a receipt from the console at any base path, the grant id encoded', () => {
    expect(consoleUrls('https://vendor.example/support//').receipt('01KB/x')).toBe(
      'https://vendor.example/support/?receipt=01KB%2Fx',
    );
  });
});
