import { writeFileSync } from 'node:fs';
import { openApiJson } from '../functions/http/openapi.ts';

writeFileSync(new URL('../docs/openapi.json', import.meta.url), openApiJson());
console.log('docs/openapi.json written');
