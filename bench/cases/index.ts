import { heavy } from './heavy';
import { light } from './light';
import { single } from './single';
import type { BenchCase } from './types';
import { write } from './write';

export const CASES: ReadonlyArray<BenchCase<never>> = [light, heavy, single, write] as unknown as ReadonlyArray<BenchCase<never>>;

export function caseNamed(name: string): BenchCase<unknown> {
  const found = CASES.find((c) => c.name === name);
  if (!found) throw new Error(`unknown case "${name}"; cases: ${CASES.map((c) => c.name).join(', ')}`);
  return found as unknown as BenchCase<unknown>;
}
