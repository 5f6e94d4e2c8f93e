import * as accounts from '../modules/account/service';
import { adminContext, requiredId, throwPayloadErrors } from './admin';
import { runCommand } from './command';

runCommand(
  {
    name: 'revoke-key',
    synopsis: '--id <key-id> [--json]',
    description:
      "Revokes an account's API key: from the next request on, it gets UNAUTHENTICATED on every server sharing\n" +
      'the database (keys are not cached). Revoking a revoked key changes nothing and keeps the first time.\n' +
      "The key's id is what issue-key reported (not the key itself, which is never typed on a command line).",
    options: {
      id: { type: 'string', valueName: 'key-id', description: "the API key's id" },
      json: { type: 'boolean', description: 'print {"id","accountId","name","prefix","createdUtc","revokedUtc"} on stdout' },
    },
  },
  async ({ values }, io) => {
    const apiKeyId = requiredId(values.id, 'id');
    const apiKey = await io.withDatabase(async (database) => {
      const ctx = adminContext(io, database.db);
      const payload = await accounts.revokeApiKey(ctx, { apiKeyId });
      await throwPayloadErrors(payload.errors, {});
      const revoked = await payload.apiKey;
      if (!revoked) throw new Error('The key was not revoked.');
      return revoked;
    });
    if (io.interactive) {
      process.stderr.write(`Revoked API key ${apiKey.id} (${apiKey.prefix}…) of account ${apiKey.accountId}.\n`);
    }
    if (values.json) {
      const { id, accountId, name, prefix, createdUtc, revokedUtc } = apiKey;
      io.print(JSON.stringify({ id, accountId, name, prefix, createdUtc, revokedUtc }));
    }
  },
);
