import fs from 'node:fs';
import path from 'node:path';

let root: string | undefined;

/** The project root (the folder with package.json), found from wherever the code runs: src/ under ts-jest, dist/src/ when built. */
export function projectRoot(): string {
  if (root) return root;
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'schema'))) {
      root = dir;
      return dir;
    }
  }
  throw new Error(`Project root not found above ${__dirname}`);
}
