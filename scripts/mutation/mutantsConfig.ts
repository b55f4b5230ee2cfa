/** Mutants of the inventory's config guards (scripts/mutation/inventory.ts); format: mutants.ts. */
import { Mutant, t } from "./mutants";

export const CONFIG_MUTANTS: Mutant[] = [
];
