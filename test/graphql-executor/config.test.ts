import { ConfigError, loadConfig } from '../../src/config';

describe('GRAPHQL_EXECUTOR', () => {
  it('is jit unless set to graphql-js', () => {
    expect(loadConfig({}).graphqlExecutor).toBe('jit');
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_EXECUTOR: 'graphql-js' }).graphqlExecutor).toBe('graphql-js');
  });

  it('refuses anything else, naming the setting', () => {
    expect(() => loadConfig({ GRAPHQL_EXECUTOR: 'fast' })).toThrow(new ConfigError('GRAPHQL_EXECUTOR must be one of jit, graphql-js, not "fast".'));
  });
});
