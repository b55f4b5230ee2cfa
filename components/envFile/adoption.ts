/**
 * Whose `.env` is it? A file whose `RM_*` keys name a Redis, queue, groups or
 * stack ARN that this stack never wrote is another cluster's: writing this
 * stack's values would restart that cluster's masters onto resources they
 * cannot reach. Pure: no AWS, no Pulumi. See docs/migrating-from-cloudformation.md.
 */
import { INFRA_OWNED_KEYS } from "./keys";
import { Settings } from "./merge";

/** Derived from the stack's fully qualified name (content.ts): equal only for the same stack. */
const STACK_ARN_KEY = "RM_CLOUDFORMATION_ARN";

/**
 * The `RM_*` keys of the live file whose value is neither what this stack wants now nor what
 * it wrote last (`lastWritten`: empty before its first write). A stack's own file is never
 * foreign, even when its names change (the values it wrote before are in `lastWritten`), and
 * a file with this stack's ARN was written by an earlier life of this same stack.
 */
export function foreignClusterKeys(live: ReadonlyMap<string, string>, desired: Settings, lastWritten: Settings): string[] {
    const liveArn = live.get(STACK_ARN_KEY);
    if (liveArn !== undefined && liveArn !== "" && liveArn === desired[STACK_ARN_KEY]) return [];
    return INFRA_OWNED_KEYS.filter((key) => {
        const value = live.get(key);
        return value !== undefined && value !== "" && value !== desired[key] && value !== lastWritten[key];
    });
}

/** Why a foreign file is not written, and what to do: key names only, never a value. */
export function foreignClusterMessage(target: string, keys: readonly string[], takeoverConfig: string): string {
    return `${target} belongs to another cluster: its ${keys.join(", ")} name resources this stack did not create. ` +
        "Writing this stack's values would restart that cluster's masters onto this stack's Redis and queue, which they cannot reach. " +
        "Nothing was written. Give this stack a bucket of its own (leave openvidu:bucketName unset), or, once that cluster is " +
        `deleted or its masters are stopped, set \`pulumi config set ${takeoverConfig} true\` to take the file over ` +
        "(docs/migrating-from-cloudformation.md).";
}
