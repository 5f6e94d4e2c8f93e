// Tests in the "postgres" Jest project run on a scratch database of the TEST_DATABASE_URL server.
process.env.TEST_DATABASE_TARGET = 'postgres';
