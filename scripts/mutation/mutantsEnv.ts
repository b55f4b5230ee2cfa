/** Mutants of the inventory's env guards (scripts/mutation/inventory.ts); format: mutants.ts. */
import { Mutant, t } from "./mutants";

export const ENV_MUTANTS: Mutant[] = [
];
