import * as accounts from '../modules/account/service';
import { adminContext, required, throwPayloadErrors } from './admin';
import { runCommand, UsageError } from './command';

runCommand(
  {
    name: 'create-account',
    synopsis: '--name <name> [--audience <name>]… [--json]',
    description:
      'Creates an account, with its audiences, in one transaction, and prints the new account id on stdout.\n' +
      'Then issue the account a key with `npm run -s issue-key -- --account <id> --name <label>`.',
    options: {
      name: { type: 'string', valueName: 'name', description: "the account's name, 1 to 200 characters" },
      audience: {
        type: 'string',
        multiple: true,
        valueName: 'name',
        description: 'also create an audience of this name (integrations need one)',
      },
      json: { type: 'boolean', description: 'print {"id","name","createdUtc","audiences":[{"id","name"}]} instead of the id' },
    },
  },
  async ({ values }, io) => {
    const name = required(values.name, 'name');
    const audienceNames = values.audience ?? [];
    if (new Set(audienceNames.map((audience) => audience.trim())).size !== audienceNames.length) {
      throw new UsageError('--audience names must differ.');
    }
    const created = await io.withDatabase((database) =>
      // One transaction: an audience that cannot be created leaves no account behind.
      database.db.transaction().execute(async (trx) => {
        const ctx = adminContext(io, trx);
        const payload = await accounts.createAccount(ctx, { name });
        await throwPayloadErrors(payload.errors, { name: 'name' });
        const account = await payload.account;
        if (!account) throw new Error('The account was not created.');
        const audiences: Array<{ id: string; name: string }> = [];
        for (const audienceName of audienceNames) {
          const result = await accounts.createAudience(ctx, { accountId: account.id, name: audienceName });
          await throwPayloadErrors(result.errors, { name: 'audience' });
          const audience = await result.audience;
          if (audience) audiences.push({ id: audience.id, name: audience.name });
        }
        return { id: account.id, name: account.name, createdUtc: account.createdUtc, audiences };
      }),
    );
    if (io.interactive) {
      process.stderr.write(`Created account "${created.name}" with ${created.audiences.length} audience(s).\n`);
    }
    io.print(values.json ? JSON.stringify(created) : created.id);
  },
);
