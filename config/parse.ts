import { closest, distance } from "fastest-levenshtein";
import { ConfigProblem } from "./errors";
import { HowToSet, withPulumiConfigSet } from "./howToSet";
import { CONFIG_NAMESPACE, KEY_SPECS, KeyKind, specFor } from "./schema";

/** A key's value after type coercion: what the rules in validate.ts check. */
export type ParsedValue = string | number | boolean | string[] | Record<string, string>;

/** Config values by short key (`domainName`), typed by the key's kind. */
export type ParsedValues = Partial<Record<string, ParsedValue>>;

export function fullKey(key: string): string {
    return `${CONFIG_NAMESPACE}:${key}`;
}

/**
 * Turns raw values (strings from a stack file, or typed values from the
 * Automation API) into typed values by each key's kind. Unknown keys and
 * values of the wrong type become problems; nothing is thrown.
 *
 * @param raw values by short key
 * @param secretKeys short keys whose values were stored as secrets (`"all"`
 *   when the caller makes every secret-kind key secret itself)
 * @param howToSet how a message says to set a key (`pulumi config set` by default)
 */
export function parseValues(
    raw: Record<string, unknown>,
    secretKeys: ReadonlySet<string> | "all",
    howToSet: HowToSet = withPulumiConfigSet,
): { values: ParsedValues; problems: ConfigProblem[]; wrongType: Set<string> } {
    const values: ParsedValues = {};
    const problems: ConfigProblem[] = [];
    // Keys given with a value of the wrong type: reported once, and no rule may
    // then treat them as unset or defaulted (that would cascade into other errors).
    const wrongType = new Set<string>();
    for (const [key, value] of Object.entries(raw)) {
        if (value === undefined || value === null) {
            continue;
        }
        const spec = specFor(key);
        if (!spec) {
            problems.push({ key: fullKey(key), message: unknownKeyMessage(key) });
            continue;
        }
        if (spec.kind === "secret" && secretKeys !== "all" && !secretKeys.has(key)) {
            problems.push({
                key: fullKey(key),
                message: `is stored in plain text; it is a secret: set it with ${howToSet({ key: fullKey(key), secret: true })}`,
            });
        }
        const parsed = coerce(spec.kind, value);
        if (typeof parsed === "string" && parsed.startsWith(WRONG_TYPE)) {
            problems.push({ key: fullKey(key), message: parsed.slice(WRONG_TYPE.length) });
            wrongType.add(key);
        } else {
            values[key] = parsed;
        }
    }
    return { values, problems, wrongType };
}

const WRONG_TYPE = "\u0000wrong-type:";

/** Coerces one value; a wrong type comes back as a marked message (never echoing the value). */
function coerce(kind: KeyKind, value: unknown): ParsedValue {
    switch (kind) {
        case "string":
        case "secret":
            return typeof value === "string" ? value : `${WRONG_TYPE}must be a string`;
        case "boolean":
            if (typeof value === "boolean") return value;
            if (value === "true" || value === "false") return value === "true";
            return `${WRONG_TYPE}must be true or false (got ${describe(value)})`;
        case "integer": {
            const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
            return Number.isInteger(n) ? n : `${WRONG_TYPE}must be a whole number (got ${describe(value)})`;
        }
        case "stringList":
            return coerceList(value);
        case "stringMap":
            return coerceMap(value);
    }
}

function coerceList(value: unknown): ParsedValue {
    const list = typeof value === "string" ? tryJson(value) ?? value.split(",").map((s) => s.trim()) : value;
    if (Array.isArray(list) && list.every((item) => typeof item === "string")) {
        return list as string[];
    }
    return `${WRONG_TYPE}must be a list of strings, e.g. [subnet-0123..., subnet-4567...]`;
}

function coerceMap(value: unknown): ParsedValue {
    const map = typeof value === "string" ? tryJson(value) : value;
    if (map === null || typeof map !== "object" || Array.isArray(map)) {
        return `${WRONG_TYPE}must be a map of KEY: value`;
    }
    const result: Record<string, string> = {};
    for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
        if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
            return `${WRONG_TYPE}must be a map of KEY: value with plain values (${k} is not)`;
        }
        result[k] = String(v);
    }
    return result;
}

function tryJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

function describe(value: unknown): string {
    const text = typeof value === "string" ? `"${value}"` : JSON.stringify(value);
    return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** "is not a known key; did you mean openvidu:domainName?" */
export function unknownKeyMessage(key: string): string {
    const known = KEY_SPECS.map((s) => s.key);
    const lower = key.toLowerCase();
    const byCase = known.find((k) => k.toLowerCase() === lower);
    const nearest = byCase ?? closest(key, known);
    const close = byCase !== undefined || distance(lower, nearest.toLowerCase()) <= Math.max(2, Math.floor(key.length / 3));
    const hint = close ? `did you mean ${fullKey(nearest)}?` : "see the config reference in the README";
    return `is not a known key; ${hint}`;
}
