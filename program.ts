import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadConfig } from "./config";
import { OpenViduCluster, OpenViduClusterArgs, OpenViduStackOutputs } from "./components/cluster";
import { s3AccessFromStackConfig } from "./components/envFile/access";
import { imageLookups, lookUpImage } from "./components/images";

export interface OpenViduProgramOptions {
    /** Adjust underlying resources per component (see components/transform.ts). */
    transform?: OpenViduClusterArgs["transform"];
    /** Resource options of the top-level component, e.g. Pulumi's `transforms` (they reach every child). */
    resourceOptions?: pulumi.ComponentResourceOptions;
}

/**
 * The whole program: validated config in, one component, outputs out. Shared
 * by `index.ts` (pulumi up), the Automation API's inline program and the
 * offline plan, so all three deploy exactly the same thing.
 */
export function openviduProgram(options: OpenViduProgramOptions = {}): OpenViduStackOutputs {
    const config = loadConfig(); // throws on invalid config, before any resource exists
    const s3Access = s3AccessFromStackConfig(); // the .env writer authenticates as the AWS provider does
    const cluster = new OpenViduCluster("openvidu", { config, s3Access, transform: options.transform }, options.resourceOptions);
    return cluster.outputs;
}

/**
 * The program, started only once every AMI given by name resolves: what the
 * Automation API runs. A lookup that fails inside the resource graph leaves
 * the resources that wait for it unregistered, and the SDK's inline runtime
 * then waits for them forever; failing here, before any resource exists, ends
 * the run with the error (naming the key). The images are looked up again,
 * with the same answer, where they are used (components/images.ts).
 */
export async function openviduProgramAfterImageLookups(options: OpenViduProgramOptions = {}): Promise<OpenViduStackOutputs> {
    const config = loadConfig(); // throws on invalid config, before any resource exists
    const lookups = imageLookups({ ...config, ownerId: config.amiOwnerId, sourceRegion: config.amiSourceRegion });
    const failures = (await Promise.allSettled(lookups.map((lookup) => lookUpImage(lookup))))
        .flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
    const other = failures.find((failure) => !(failure instanceof ConfigError));
    if (other !== undefined) throw other;
    if (failures.length > 0) throw new ConfigError((failures as ConfigError[]).flatMap((failure) => failure.problems));
    return openviduProgram(options);
}
