// Expands a JSON-LD document with jsonld.js in safe mode (any term or value that would be
// dropped is an error) and with no remote document allowed: prints the expanded form.
//   node expand.mjs catalogue.jsonld
import { readFileSync } from 'node:fs';
import jsonld from 'jsonld';

const document = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const documentLoader = async (url) => {
  throw new Error(`the catalogue asks for a remote document (${url}); its context must be inline`);
};
try {
  const expanded = await jsonld.expand(document, { safe: true, documentLoader });
  process.stdout.write(JSON.stringify(expanded));
} catch (error) {
  process.stderr.write(`${error.name}: ${error.message}\n${JSON.stringify(error.details ?? {}, null, 1).slice(0, 2000)}\n`);
  process.exit(1);
}
