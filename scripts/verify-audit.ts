import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { verifyChain } from '../functions/domain/audit-chain.ts';

/**
 * `npm run --silent verify-audit -- FILE [--head HASH]`: checks an audit export offline (no
 * network, no AWS). Exit 0 with `OK <n> events, head <hash>`; exit 1 naming the first line that
 * does not verify (`verifyChain` says what each line must be), or saying that the kept head is
 * not in the chain; exit 2 for a usage error or a file it cannot read.
 */
async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: { head: { type: 'string' } }; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ options: { head: { type: 'string' } }, allowPositionals: true });
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const [file, ...extra] = parsed.positionals;
  const head = parsed.values.head;
  if (!file || extra.length > 0 || (head !== undefined && !/^[0-9a-f]{64}$/.test(head))) {
    console.error(
      'usage: npm run --silent verify-audit -- FILE [--head HASH]   (HASH: 64 lower-case hex digits)',
    );
    return 2;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    console.error(`cannot read ${file}: ${(error as Error).message}`);
    return 2;
  }
  const result = verifyChain(text.split('\n'), head);
  if (result.ok) {
    console.log(`OK ${result.events} events, head ${result.head}`);
    return 0;
  }
  console.log(result.line > 0 ? `FAIL line ${result.line}: ${result.reason}` : `FAIL ${result.reason}`);
  return 1;
}

process.exitCode = await main();
