/**
 * Reads a stack's configuration the way the Pulumi CLI would hand it to the
 * program: Pulumi.yaml's declared defaults, then Pulumi.<stack>.yaml. Without
 * the CLI, `secure:` values cannot be decrypted; they (and required secrets
 * that are unset) become clearly marked placeholders, unless given with
 * `--secret`.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_NAMESPACE, SECRET_KEYS } from "../config/schema";

/** The value a placeholder secret gets: valid for every secret rule, obviously not real. */
export const PLACEHOLDER_SECRET = "offline-plan-placeholder-secret";

export interface StackConfig {
    /** Full keys → values as strings (structured values JSON-encoded). */
    config: Record<string, string>;
    /** Full keys whose values are secrets. */
    secretKeys: string[];
    /** Full keys whose values are placeholders (encrypted, or unset but required). */
    placeholders: string[];
}

export class StackFileError extends Error {}

function fullKey(key: string): string {
    return key.includes(":") ? key : `${CONFIG_NAMESPACE}:${key}`;
}

function asConfigString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

function readYaml(file: string): Record<string, unknown> {
    if (!fs.existsSync(file)) {
        throw new StackFileError(`${path.basename(file)} not found in ${path.dirname(file)}`);
    }
    return (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
}

/**
 * @param projectDir where Pulumi.yaml and the stack files are
 * @param stackName the stack (reads Pulumi.<stackName>.yaml)
 * @param secrets `openvidu:KEY=VALUE` pairs given on the command line
 */
export function readStackConfig(projectDir: string, stackName: string, secrets: Record<string, string> = {}): StackConfig {
    const project = readYaml(path.join(projectDir, "Pulumi.yaml"));
    const stack = readYaml(path.join(projectDir, `Pulumi.${stackName}.yaml`));
    const config: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const placeholders = new Set<string>();

    for (const [key, decl] of Object.entries((project.config ?? {}) as Record<string, Record<string, unknown>>)) {
        if (decl && typeof decl === "object" && "default" in decl) config[fullKey(key)] = asConfigString(decl.default);
    }
    for (const [key, value] of Object.entries((stack.config ?? {}) as Record<string, unknown>)) {
        const name = fullKey(key);
        if (value !== null && typeof value === "object" && "secure" in (value as object)) {
            config[name] = PLACEHOLDER_SECRET;
            secretKeys.add(name);
            placeholders.add(name);
        } else {
            config[name] = asConfigString(value);
        }
    }
    for (const key of requiredSecrets(config)) {
        if (config[key] === undefined) {
            config[key] = PLACEHOLDER_SECRET;
            secretKeys.add(key);
            placeholders.add(key);
        }
    }
    for (const [key, value] of Object.entries(secrets)) {
        config[fullKey(key)] = value;
        secretKeys.add(fullKey(key));
        placeholders.delete(fullKey(key));
    }
    return { config, secretKeys: [...secretKeys], placeholders: [...placeholders] };
}

/** Secret keys the program cannot run without, given the rest of the config. */
function requiredSecrets(config: Record<string, string>): string[] {
    const required = [`${CONFIG_NAMESPACE}:license`];
    if (config[`${CONFIG_NAMESPACE}:elasticsearchEnabled`] !== "false") {
        required.push(`${CONFIG_NAMESPACE}:elasticsearchPassword`);
    }
    return required.filter((key) => SECRET_KEYS.includes(key.slice(CONFIG_NAMESPACE.length + 1)));
}

/** Parses repeated `--secret openvidu:KEY=VALUE` arguments. */
export function parseSecretArgs(pairs: string[]): Record<string, string> {
    const secrets: Record<string, string> = {};
    for (const pair of pairs) {
        const eq = pair.indexOf("=");
        if (eq <= 0) {
            throw new StackFileError(`--secret takes openvidu:KEY=VALUE (got "${pair.split("=")[0]}")`);
        }
        secrets[fullKey(pair.slice(0, eq))] = pair.slice(eq + 1);
    }
    return secrets;
}
