/**
 * Keys outside the `openvidu:` namespace. The program reads `aws:region`, and
 * the AWS provider reads the other `aws:*` keys; a typo there (`aws:regoin`,
 * `openvido:domainName`) would otherwise be ignored without a word, and the
 * stack would deploy with a default (for the region: whatever AWS_REGION the
 * shell has). Each such key is reported, with the nearest real name.
 */
import * as awsProviderConfig from "@pulumi/aws/config/vars";
import { closest, distance } from "fastest-levenshtein";
import { ConfigProblem } from "./errors";
import { CONFIG_NAMESPACE } from "./schema";

/**
 * The AWS provider's configuration keys (`aws:region`, `aws:profile`,
 * `aws:assumeRoles`, `aws:defaultTags`, ...), read from the installed
 * @pulumi/aws so the list always matches the provider that runs.
 */
export const AWS_PROVIDER_KEYS: readonly string[] = Object.keys(awsProviderConfig);

/**
 * Namespaces whose keys are accepted as they are: Pulumi's own (`pulumi:tags`,
 * `pulumi:disable-default-providers`, checked by the CLI) and the other
 * providers the program uses, which have no configuration of their own here.
 */
const OTHER_NAMESPACES = ["pulumi", "awsx", "random"];

const KNOWN_NAMESPACES = [CONFIG_NAMESPACE, "aws", ...OTHER_NAMESPACES];

/** Close enough to be a typo of `known` (case-insensitive, or a few edits). */
function near(name: string, known: readonly string[]): string | undefined {
    if (known.length === 0) return undefined;
    const lower = name.toLowerCase();
    const byCase = known.find((k) => k.toLowerCase() === lower);
    if (byCase) return byCase;
    const nearest = closest(name, known as string[]);
    return distance(lower, nearest.toLowerCase()) <= Math.max(2, Math.floor(name.length / 3)) ? nearest : undefined;
}

/**
 * Problems with full config keys outside `openvidu:` (pass every key of the
 * stack's config; `openvidu:*` keys are ignored here: they are checked by
 * their own rules).
 */
export function otherNamespaceProblems(fullKeys: readonly string[]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const key of fullKeys) {
        const colon = key.indexOf(":");
        const namespace = colon < 0 ? "" : key.slice(0, colon);
        const name = key.slice(colon + 1);
        if (namespace === CONFIG_NAMESPACE || OTHER_NAMESPACES.includes(namespace)) continue;
        if (namespace === "aws") {
            if (AWS_PROVIDER_KEYS.includes(name)) continue;
            const hint = near(name, AWS_PROVIDER_KEYS);
            problems.push({
                key,
                message: `is not a configuration key of the AWS provider; ${hint ? `did you mean aws:${hint}?` :
                    "see the provider's configuration reference (keys such as aws:region, aws:profile, aws:assumeRoles)"}`,
            });
            continue;
        }
        const hint = near(namespace, KNOWN_NAMESPACES);
        problems.push({
            key,
            message: `is in an unknown namespace "${namespace}"; ${hint ? `did you mean ${hint}:${name}?` :
                `this program reads ${CONFIG_NAMESPACE}:* and aws:* keys (and Pulumi's own pulumi:*)`}`,
        });
    }
    return problems;
}
