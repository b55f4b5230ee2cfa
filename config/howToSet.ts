/**
 * How a problem's message tells the reader to set a key. The validator speaks
 * to whoever gave the config: a stack file's user runs `pulumi config set`, an
 * Automation API caller sets a field of the request (automation/index.ts).
 */
export interface SetKey {
    /** The full key: `openvidu:license`, `aws:region`. */
    key: string;
    /** Stored as a secret (`--secret`). */
    secret?: boolean;
    /** What stands for the value in a command, e.g. `<region>`; `<value>` by default. */
    placeholder?: string;
}

/** The way to set a key, as a phrase that follows "set it with" (markdown code spans included). */
export type HowToSet = (set: SetKey) => string;

/** Stack files and the Pulumi CLI: the `pulumi config set` command. */
export const withPulumiConfigSet: HowToSet = ({ key, secret, placeholder }) =>
    `\`pulumi config set ${secret ? "--secret " : ""}${key} ${placeholder ?? "<value>"}\``;
