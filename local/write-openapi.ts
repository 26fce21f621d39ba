import { writeFileSync } from 'node:fs';
import { eventsJsonSchemaText } from '../functions/domain/event-types.ts';
import { openApiJson } from '../functions/http/openapi.ts';

writeFileSync(new URL('../docs/openapi.json', import.meta.url), openApiJson());
writeFileSync(new URL('../docs/events.schema.json', import.meta.url), eventsJsonSchemaText());
console.log('docs/openapi.json and docs/events.schema.json written');
