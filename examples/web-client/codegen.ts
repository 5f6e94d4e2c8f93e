import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * `npm run codegen:client`: types the web client's operations against the API's SDL with graphql-codegen's
 * client preset, and writes the persisted-operations manifest (src/gql/persisted-documents.json) that the
 * server's safelist mode accepts (PERSISTED_OPERATIONS_FILE). Paths are relative to the repository root,
 * where npm runs the script. WEB_CLIENT_CODEGEN_OUT redirects the output (the test compares a fresh run
 * with the committed files).
 */
const output = process.env.WEB_CLIENT_CODEGEN_OUT ?? 'examples/web-client/src/gql/';

const config: CodegenConfig = {
  overwrite: true,
  schema: 'schema/**/*.graphql',
  documents: ['examples/web-client/src/**/*.ts', '!examples/web-client/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    [output]: {
      preset: 'client',
      presetConfig: {
        // `{ "sha256:<hex>": "<document>" }`, and each document carries its hash (`__meta__.hash`).
        persistedDocuments: true,
        // Plain result types: this example has no component tree to mask fragments for.
        fragmentMasking: false,
      },
      config: {
        // Every custom scalar must be mapped: an unmapped one is an error instead of `any`.
        strictScalars: true,
        scalars: {
          ID: 'string',
          DateTime: 'string',
          JSON: 'unknown',
          Byte: 'number',
        },
        useTypeImports: true,
        enumType: 'string-literal',
        futureProofEnums: false,
        skipTypeNameForRoot: true,
      },
    },
  },
};

export default config;
