import { GraphQLError } from 'graphql';

/** Thrown failures: authentication, authorisation and malformed requests. Expected failures are typed results. */
export function unauthenticated(message = 'A valid API key is required: send `Authorization: Bearer <key>`.'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
}

export function badUserInput(message: string, argumentPath?: readonly string[]): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'BAD_USER_INPUT', ...(argumentPath ? { argumentPath } : {}) },
  });
}

export interface InputErrorResult {
  __typename: 'InputError';
  code: 'INVALID_INPUT';
  message: string;
  path: string[];
}

export interface NotFoundErrorResult {
  __typename: 'NotFoundError';
  code: 'NOT_FOUND';
  message: string;
}

export interface AlreadyExistsErrorResult {
  __typename: 'AlreadyExistsError';
  code: 'ALREADY_EXISTS';
  message: string;
}

export function inputError(path: string[], message: string): InputErrorResult {
  return { __typename: 'InputError', code: 'INVALID_INPUT', message, path };
}

export function notFoundError(message: string): NotFoundErrorResult {
  return { __typename: 'NotFoundError', code: 'NOT_FOUND', message };
}

export function alreadyExistsError(message: string): AlreadyExistsErrorResult {
  return { __typename: 'AlreadyExistsError', code: 'ALREADY_EXISTS', message };
}

/** Postgres SQLSTATE of a driver error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
