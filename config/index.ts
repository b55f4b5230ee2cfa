/**
 * The one place that reads the stack configuration. Everything else receives
 * the typed, validated `OpenViduConfig` this returns.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "./schema";
import { validateConfig } from "./validate";
import { OpenViduConfig } from "./types";

export * from "./errors";
export * from "./howToSet";
export * from "./schema";
export * from "./types";
export { validateConfig, defaultClusterId, ValidationContext } from "./validate";

// `isConfigSecret` is exported by the SDK's runtime but not declared in its typings.
const runtimeConfig = pulumi.runtime as unknown as { isConfigSecret?: (fullKey: string) => boolean };

/**
 * Reads every `openvidu:*` key of the running stack, plus `aws:region`, and
 * validates them all at once (keys of other namespaces only for typos). Throws a ConfigError listing every problem;
 * call it before creating any resource.
 */
export function loadConfig(): OpenViduConfig {
    const isSecret = runtimeConfig.isConfigSecret;
    if (typeof isSecret !== "function") {
        throw new Error("this @pulumi/pulumi no longer exports runtime.isConfigSecret; update config/index.ts");
    }
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const otherKeys: string[] = [];
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!key.startsWith(prefix)) {
            otherKeys.push(key);
            continue;
        }
        const shortKey = key.slice(prefix.length);
        raw[shortKey] = value;
        if (isSecret(key)) secretKeys.add(shortKey);
    }
    const region = new pulumi.Config("aws").get("region") ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    return validateConfig(raw, { stackName: pulumi.getStack(), region, secretKeys, otherKeys });
}
