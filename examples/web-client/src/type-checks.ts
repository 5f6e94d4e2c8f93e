import type { CreateAccountIntegrationInput, IntegrationDetailQuery, IntegrationPartnerRef } from './gql/graphql';

/**
 * Compile-time checks of what codegen produced (the example's tsc run fails if one breaks): custom
 * scalars map to real types under `strictScalars`, and a `@oneOf` input accepts exactly one field.
 */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Detail = NonNullable<IntegrationDetailQuery['accountIntegration']>;

export const scalarChecks: Array<true> = [
  true satisfies Equal<Detail['createdUtc'], string>,
  true satisfies Equal<Detail['webhookVerificationSecretEncrypted'], number[] | null>,
  true satisfies Equal<Detail['syncFilters'], unknown>,
  true satisfies Equal<Detail['id'], string>,
  true satisfies Equal<CreateAccountIntegrationInput['credentials'], unknown>,
];

export const oneOfChecks: IntegrationPartnerRef[] = [
  { key: 'activecampaign' },
  { id: '6f1c2d3e-0000-4000-8000-000000000000' },
  // @ts-expect-error: a partner is named by id or by key, not both
  { id: '6f1c2d3e-0000-4000-8000-000000000000', key: 'activecampaign' },
  // @ts-expect-error: and not by neither
  {},
];
