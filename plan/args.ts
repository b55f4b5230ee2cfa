/**
 * The offline plan's command line. A mistake (unknown flag, missing value,
 * stray word) is one line saying what is wrong and what to type instead,
 * never a Node.js TypeError.
 */
import { closest, distance } from "fastest-levenshtein";
import { parseArgs } from "util";

export const USAGE = "usage: npm run plan -- --stack NAME [--json | --wide] [--secret openvidu:KEY=VALUE ...] [--cwd PROJECT_DIR]";

const OPTIONS = {
    stack: { type: "string" },
    json: { type: "boolean" },
    wide: { type: "boolean" },
    secret: { type: "string", multiple: true },
    cwd: { type: "string" },
    help: { type: "boolean" },
} as const;

export interface PlanArgs {
    stack: string;
    json: boolean;
    /** The text plan with no line cut to 100 columns. */
    wide: boolean;
    secret: string[];
    cwd?: string;
    help: boolean;
}

export class PlanArgsError extends Error {}

function suggestion(name: string): string {
    const known = Object.keys(OPTIONS);
    const nearest = closest(name, known);
    return distance(name, nearest) <= 2 ? `; did you mean --${nearest}?` : `; the options are ${known.map((o) => `--${o}`).join(", ")}`;
}

/** Parses the plan's arguments (without `node script`); throws PlanArgsError with a one-line message. */
export function parsePlanArgs(argv: string[]): PlanArgs {
    const { tokens } = parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
    const result: PlanArgs = { stack: "", json: false, wide: false, secret: [], help: false };
    for (const token of tokens) {
        if (token.kind === "positional") {
            throw new PlanArgsError(`unexpected argument "${token.value}": name the stack with --stack ${token.value}` +
                " (and put -- after `npm run plan`, so npm passes the options on: npm run plan -- --stack NAME)");
        }
        if (token.kind !== "option") continue;
        const spec = (OPTIONS as Record<string, { type: string; multiple?: boolean }>)[token.name];
        if (!spec) {
            throw new PlanArgsError(`unknown option ${token.rawName}${suggestion(token.name)}`);
        }
        if (spec.type === "boolean") {
            if (token.value !== undefined) throw new PlanArgsError(`${token.rawName} takes no value (got "${token.rawName}=${token.value}")`);
            (result as unknown as Record<string, boolean>)[token.name] = true;
            continue;
        }
        if (token.value === undefined || (!token.inlineValue && token.value.startsWith("-"))) {
            const what = token.name === "stack" ? "a stack name, e.g. --stack dev" : token.name === "secret" ? "openvidu:KEY=VALUE" : "a value";
            throw new PlanArgsError(`${token.rawName} needs ${what}`);
        }
        if (token.name === "secret") result.secret.push(token.value);
        else if (token.name === "stack") result.stack = token.value;
        else if (token.name === "cwd") result.cwd = token.value;
    }
    if (!result.help && result.stack === "") {
        throw new PlanArgsError(`--stack NAME is required (the stack file Pulumi.NAME.yaml); ${USAGE}`);
    }
    return result;
}
