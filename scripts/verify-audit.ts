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
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    console.error(`cannot read ${file}: ${(error as Error).message}`);
    return 2;
  }
  // Lines are decoded strictly: bytes that are not UTF-8 would otherwise read as U+FFFD, and two
  // different files would verify as the same text.
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const lines: string[] = [];
  let undecodable = 0;
  for (let start = 0; start <= bytes.length; ) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end === -1 ? bytes.length : end;
    try {
      lines.push(utf8.decode(bytes.subarray(start, stop)));
    } catch {
      undecodable = lines.length + 1;
      break;
    }
    start = stop + 1;
  }
  const result = verifyChain(lines, undecodable ? undefined : head);
  if (undecodable && result.ok) {
    console.log(`FAIL line ${undecodable}: it holds bytes that are not UTF-8`);
    return 1;
  }
  if (result.ok) {
    console.log(`OK ${result.events} events, head ${result.head}`);
    return 0;
  }
  console.log(result.line > 0 ? `FAIL line ${result.line}: ${result.reason}` : `FAIL ${result.reason}`);
  return 1;
}

process.exitCode = await main();
