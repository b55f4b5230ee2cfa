import * as pulumi from "@pulumi/pulumi";

/** One thing wrong with the stack configuration, tied to the key it is about. */
export interface ConfigProblem {
    /** The full key, e.g. `openvidu:domainName` or `aws:region`. */
    key: string;
    /** What is wrong and what is allowed. Never contains a secret value. */
    message: string;
}

/**
 * A user's configuration mistake (not a bug): carries every problem found, so
 * all of them can be fixed in one go. Pulumi prints a `RunError` without a
 * stack trace, which is what a user wants for a config mistake.
 */
export class ConfigError extends pulumi.RunError {
    readonly problems: readonly ConfigProblem[];

    constructor(problems: readonly ConfigProblem[]) {
        const text = formatProblems(problems);
        super(text);
        this.name = "ConfigError";
        this.problems = problems;
        // A check that runs on a lookup's result fails inside Pulumi's input serialization,
        // which prefixes `error serializing property "x": ` to the message each time the error
        // passes through; the user should read exactly the problems, so the message is fixed.
        Object.defineProperty(this, "message", { get: () => text, set: () => undefined, enumerable: false, configurable: true });
    }
}

export function formatProblems(problems: readonly ConfigProblem[]): string {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    const lines = problems.map((p) => `  - ${p.key}: ${p.message}`);
    return [`Invalid stack configuration (${count}):`, ...lines].join("\n");
}
