import fs from 'node:fs/promises';
import os from 'node:os';

/**
 * PGlite does not lock its data directory, and two processes writing one directory corrupt it: `npm
 * start` in one terminal and `npm run issue-key` in another, say. The service and the admin commands
 * therefore take this lock file (`<dataDir>.lock`, holding `pid@host`) while the embedded database is
 * open. A lock left by a process that no longer runs on this host is taken over.
 */
export class DataDirectoryInUseError extends Error {
  override readonly name = 'DataDirectoryInUseError';
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock, or throws DataDirectoryInUseError naming the holder. Resolves with its release. */
export async function lockDataDirectory(dataDir: string): Promise<() => Promise<void>> {
  const file = `${dataDir.replace(/\/+$/, '')}.lock`;
  const owner = `${process.pid}@${os.hostname()}`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await fs.writeFile(file, owner + '\n', { flag: 'wx', mode: 0o600 });
      return async () => {
        // Only our own lock: a process that took over a lock it judged stale keeps its own.
        const holder = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
        if (holder === owner) await fs.rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
    const [pidText, host] = holder.split('@');
    const pid = Number(pidText);
    // Our own pid in a lock is a previous run's (a restarted container keeps its pid and host name).
    const stale = holder === '' || (host === os.hostname() && Number.isInteger(pid) && (pid === process.pid || !isRunning(pid)));
    if (!stale) {
      throw new DataDirectoryInUseError(
        `The embedded database in ${dataDir} is in use by process ${holder} (a running server or admin command); ` +
          `PGlite allows one process at a time. Stop that process first, or use Postgres (DATABASE_URL). ` +
          `If no process uses it, delete ${file}.`,
      );
    }
    await fs.rm(file, { force: true });
  }
  throw new DataDirectoryInUseError(`Could not take the lock ${file} for the embedded database in ${dataDir}.`);
}
