import { seed } from '../bootstrap';
import { runCommand } from './command';

runCommand(
  {
    name: 'seed',
    synopsis: '',
    description: [
      'Migrates the database to the latest, then seeds the partner catalog (partners, capabilities, data objects,',
      'activities) and, when SEED_DEMO is on (the default on the embedded database), the demo account. Safe to',
      're-run: every write is an upsert. Prints the demo API key on stdout when the demo account is seeded',
      '(DEMO_API_KEY, or the key generated once into DATA_DIR/demo-api-key).',
    ].join('\n'),
    options: {},
  },
  async (_args, io) => {
    const demoKey = await io.withDatabase((database) => seed(database, io.config, io.logger));
    if (demoKey) io.print(demoKey);
  },
);
