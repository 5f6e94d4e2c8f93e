import { createProcessDatabase, startServiceProcess, type ProcessDatabase } from '../helpers/service-process';

describe('shutdown of the service process', () => {
  let database: ProcessDatabase;

  beforeAll(async () => {
    database = await createProcessDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('exits 0 within 2 s of SIGTERM when idle', async () => {
    const service = await startServiceProcess(database.env);
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
    const result = await service.stop('SIGTERM');
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(2000);
    expect(service.output.every((line) => JSON.parse(line))).toBe(true);
  });
});
