// Tests in the "pglite" Jest project run on an in-memory embedded database.
process.env.TEST_DATABASE_TARGET = 'pglite';
