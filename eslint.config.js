// @ts-check
const eslint = require('@eslint/js');
const tseslint = require('typescript-eslint');
const graphql = require('@graphql-eslint/eslint-plugin');

/**
 * Object types with no identity of their own, so no `id`: results and errors of one call, connection
 * plumbing, and values embedded in their parent (a partner's capability, a catalog object keyed within
 * its partner). Giving them ids would change the published contract without meaning anything.
 */
const typesWithoutIdentity = {
  suffixes: ['Payload', 'Error', 'Result', 'Connection', 'Edge'],
  types: [
    'Viewer',
    'PageInfo',
    'AccountIntegrationFieldChange',
    'ActivityThrottler',
    'PartnerCapability',
    'PartnerOAuthSettings',
    'CredentialField',
    'DataObject',
    'DataField',
    'DataFieldReference',
    'DataObjectGraph',
    'DataObjectGraphNode',
    'DataObjectRelation',
    'RoutingCondition',
  ],
};

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', '.test-build/**', '.bench-build/**', 'src/generated/**', 'examples/web-client/src/gql/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // Migrations are frozen in time and run against any schema version: `Kysely<any>` is their contract.
    files: ['migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Entry points print the URL and demo key for the person who started them.
    files: ['src/main.ts', 'src/cli/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // The SDL: graphql-eslint's recommended schema rules and its Relay rules, over the merged schema.
    files: ['schema/**/*.graphql'],
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig: { schema: 'schema/**/*.graphql' } } },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      ...graphql.configs['flat/schema-recommended'].rules,
      ...graphql.configs['flat/schema-relay'].rules,
      // Every type, field, argument, enum value and directive says what it is (generated docs and IDE hints use them).
      '@graphql-eslint/require-description': [
        'error',
        { types: true, rootField: true, DirectiveDefinition: true, FieldDefinition: true, InputValueDefinition: true, EnumValueDefinition: true },
      ],
      '@graphql-eslint/strict-id-in-types': ['error', { exceptions: typesWithoutIdentity }],
      '@graphql-eslint/relay-edge-types': [
        'error',
        {
          withEdgeSuffix: true,
          // The published AccountIntegration has plain lists (`capabilities`) and payloads return `errors` lists:
          // only connections page, so not every list can be a list of edges.
          listTypeCanWrapOnlyEdgeType: false,
          // The API has no Relay `Node` interface (global object identification); ids are per-type UUIDs.
          shouldImplementNode: false,
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
