/**
 * The production esbuild settings, in one place: the CDK stack bundles every function with them
 * and the benchmarks measure bundles built with them.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

const NODE_TARGET = 'node24';

export const productionEsbuild = {
  // ESM is also the CDK's OutputFormat.ESM in constructs/function.ts.
  bundle: true,
  platform: 'node' as const,
  format: 'esm' as const,
  target: NODE_TARGET,
  minify: true,
  sourcemap: true,
  // Stacks are mapped to file and line without the sources themselves in the map: Node reads and
  // parses the whole map when the function loads (--enable-source-maps), about 5 ms of every cold
  // start for the sources of the SDK and our code.
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  // Nothing is left to the runtime: the AWS SDK is bundled too (bundleAwsSDK), at the version we test.
  external: [] as string[],
};

/** The functions' NODE_OPTIONS: source-mapped stacks in their logs. */
export const PRODUCTION_NODE_OPTIONS = '--enable-source-maps';
