/**
 * Every mutant: the program's (mutants.ts) and those written to cover the
 * inventory's guards, one file per area (scripts/mutation/inventory.ts).
 */
import { MUTANTS } from "./mutants";
import { BOOT_MUTANTS } from "./mutantsBoot";
import { CONFIG_MUTANTS } from "./mutantsConfig";
import { ENV_MUTANTS } from "./mutantsEnv";
import { SECURITY_MUTANTS } from "./mutantsSecurity";

export const ALL_MUTANTS = [...MUTANTS, ...CONFIG_MUTANTS, ...BOOT_MUTANTS, ...SECURITY_MUTANTS, ...ENV_MUTANTS];
