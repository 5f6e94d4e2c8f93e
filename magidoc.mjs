// Magidoc configuration: `npm run docs` builds a static documentation site of this API into dist/docs.
// The schema is read from the SDL files, not by introspection, so the build needs no running server
// and works while production has introspection turned off. Magidoc downloads its site template
// (carbon-multi-page) from GitHub on the first build, so that build needs internet access.
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';

import { queryGenerationFactories } from './docs/query-generation-factories.mjs';

const introduction = readFileSync(new URL('./docs/introduction.md', import.meta.url), 'utf8');

export default {
  introspection: {
    type: 'sdl',
    paths: ['schema/**/*.graphql'],
  },
  website: {
    template: 'carbon-multi-page',
    // Not ./docs, Magidoc's default: that folder holds the sources of this site.
    output: 'dist/docs',
    options: {
      appTitle: 'Account integrations API',
      pages: [{ title: 'Introduction', content: introduction }],
      // Example arguments for the generated queries; test/docs/magidoc-examples.test.ts sends each one to the server.
      queryGenerationFactories,
      // Shown as tags on the types and fields that carry them.
      directives: [
        { name: 'oneOf', args: [] },
        { name: 'listSize', args: ['assumedSize'] },
      ],
    },
  },
};
