/** Types of docs/query-generation-factories.mjs, for the TypeScript test that imports it. */
export declare const EXAMPLE_IDS: Readonly<{ account: string; audience: string; integration: string; apiKey: string }>;
export declare const EXAMPLE_PARTNER_KEY: string;
export declare const queryGenerationFactories: Record<string, unknown>;
