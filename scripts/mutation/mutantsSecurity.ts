/** Mutants of the inventory's security guards (scripts/mutation/inventory.ts); format: mutants.ts. */
import { Mutant, t } from "./mutants";

export const SECURITY_MUTANTS: Mutant[] = [
];
