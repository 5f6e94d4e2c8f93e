import * as accounts from '../modules/account/service';
import { adminContext, required, requiredId, throwPayloadErrors } from './admin';
import { runCommand } from './command';

runCommand(
  {
    name: 'issue-key',
    synopsis: '--account <id> --name <label> [--json]',
    description:
      'Issues an API key for an account and prints the key on stdout, once: only its hash is stored, so it cannot\n' +
      'be shown again. Nothing else is written to stdout, so it can be piped into a secret store:\n' +
      '  KEY=$(npm run -s issue-key -- --account "$ACCOUNT" --name ci)\n' +
      "The key's id (for revoke-key) is on stderr, or in the --json output.",
    options: {
      account: { type: 'string', valueName: 'id', description: "the account's id (from create-account)" },
      name: { type: 'string', valueName: 'label', description: 'what the key is for, 1 to 200 characters' },
      json: { type: 'boolean', description: 'print {"id","accountId","name","prefix","createdUtc","key"} instead of the bare key' },
    },
  },
  async ({ values }, io) => {
    const accountId = requiredId(values.account, 'account');
    const name = required(values.name, 'name');
    const issued = await io.withDatabase(async (database) => {
      const ctx = adminContext(io, database.db);
      const payload = await accounts.issueApiKey(ctx, { accountId, name });
      await throwPayloadErrors(payload.errors, { name: 'name' });
      const apiKey = await payload.apiKey;
      if (!apiKey || !payload.plaintextKey) throw new Error('The key was not issued.');
      return { apiKey, plaintextKey: payload.plaintextKey };
    });
    const { apiKey, plaintextKey } = issued;
    if (io.interactive) {
      process.stderr.write(
        `Issued API key ${apiKey.id} (${apiKey.prefix}…) for account ${apiKey.accountId}. ` +
          'It is printed once, below; store it now. Send it as "Authorization: Bearer <key>".\n',
      );
    }
    io.print(
      values.json
        ? JSON.stringify({
            id: apiKey.id,
            accountId: apiKey.accountId,
            name: apiKey.name,
            prefix: apiKey.prefix,
            createdUtc: apiKey.createdUtc,
            key: plaintextKey,
          })
        : plaintextKey,
    );
  },
);
