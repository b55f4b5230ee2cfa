/** Mutants of the inventory's boot guards (scripts/mutation/inventory.ts); format: mutants.ts. */
import { Mutant, t } from "./mutants";

export const BOOT_MUTANTS: Mutant[] = [
];
