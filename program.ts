import { loadConfig } from "./config";
import { OpenViduCluster, OpenViduStackOutputs } from "./components/cluster";

/**
 * The whole program: validated config in, one component, outputs out. Shared
 * by `index.ts` (pulumi up), the Automation API's inline program and the
 * offline plan, so all three deploy exactly the same thing.
 */
export function openviduProgram(): OpenViduStackOutputs {
    const config = loadConfig(); // throws on invalid config, before any resource exists
    const cluster = new OpenViduCluster("openvidu", { config });
    return cluster.outputs;
}
