import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { OpenViduCluster, OpenViduClusterArgs, OpenViduStackOutputs } from "./components/cluster";
import { s3AccessFromStackConfig } from "./components/envFile/access";

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
