import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadConfig, OpenViduConfig } from "./config";
import { exampleValues } from "./config/examples";
import { OpenViduCluster, OpenViduClusterArgs, OpenViduStackOutputs } from "./components/cluster";
import { s3AccessFromStackConfig } from "./components/envFile/access";
import { checkDomainRecord } from "./components/dns";
import { imageLookups, lookUpImage } from "./components/images";
import { checkSubnetZones } from "./components/network";
import { checkBucketRegion } from "./components/storage";

export interface OpenViduProgramOptions {
    /** Adjust underlying resources per component (see components/transform.ts). */
    transform?: OpenViduClusterArgs["transform"];
    /** Resource options of the top-level component, e.g. Pulumi's `transforms` (they reach every child). */
    resourceOptions?: pulumi.ComponentResourceOptions;
    /** The stack's config, already validated by the caller (loadConfig's result); read and validated here otherwise. */
    config?: OpenViduConfig;
}

/**
 * The whole program: validated config in, one component, outputs out. Shared
 * by `index.ts` (pulumi up), the Automation API's inline program (both after
 * checkBeforeDeclaring) and the offline plan, so all three deploy exactly the
 * same thing.
 */
export function openviduProgram(options: OpenViduProgramOptions = {}): OpenViduStackOutputs {
    const config = options.config ?? loadConfig(); // throws on invalid config, before any resource exists
    for (const example of exampleValues(config)) pulumi.log.warn(`${example.key} ${example.message}`);
    const s3Access = s3AccessFromStackConfig(); // the .env writer authenticates as the AWS provider does
    const cluster = new OpenViduCluster("openvidu", { config, s3Access, transform: options.transform }, options.resourceOptions);
    return cluster.outputs;
}

/**
 * Every check of the stack config that needs an AWS lookup, run before any
 * resource is declared: AMIs given by name, the given subnets' zones, the
 * adopted bucket's region, an existing record of the domain. The components
 * check the same answers again where they use them (the offline plan runs
 * them there); here every problem is reported at once, and nothing waits.
 * Why it matters: a check that fails inside the resource graph leaves the
 * resources waiting for it unregistered, and the SDK's inline runtime (the
 * Automation API) then waits for them forever; it was seen hanging with the
 * real CLI (tests/engine/firstPreview.test.ts). Under `pulumi preview`/`up`
 * such failures came one by one, after most resources were declared
 * (tests/engine/cliPath.test.ts). A lookup that fails for
 * another reason (a subnet that does not exist, no permission) ends the run
 * with the provider's error.
 */
export async function checkBeforeDeclaring(config: OpenViduConfig): Promise<void> {
    const checks: Array<Promise<unknown>> = imageLookups({ ...config, ownerId: config.amiOwnerId, sourceRegion: config.amiSourceRegion })
        .map((lookup) => lookUpImage(lookup));
    if (config.network !== undefined) checks.push(checkSubnetZones(config.network.subnetIds));
    if (config.bucketName !== undefined) checks.push(checkBucketRegion(config.bucketName, config.region));
    if (config.hostedZoneId !== undefined) checks.push(checkDomainRecord(config.domainName, config.hostedZoneId, config.overwriteDnsRecord));
    const failures = (await Promise.allSettled(checks)).flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
    const other = failures.find((failure) => !(failure instanceof ConfigError));
    if (other !== undefined) throw other;
    if (failures.length > 0) throw new ConfigError((failures as ConfigError[]).flatMap((failure) => failure.problems));
}

/** The program, started once checkBeforeDeclaring passes: what index.ts and the Automation API run. */
export async function openviduProgramAfterLookups(options: OpenViduProgramOptions = {}): Promise<OpenViduStackOutputs> {
    const config = loadConfig(); // throws on invalid config, before any lookup
    await checkBeforeDeclaring(config);
    return openviduProgram({ ...options, config });
}

/**
 * Rethrows a RunError (a ConfigError) with its stack cut to its first line: Pulumi shows a
 * RunError without its stack anyway, but cmd/run also formats it with Node's util.inspect in
 * colour, which on Node 20 loops over a source-mapped SDK frame such as
 * `node_modules/@pulumi/resource.ts:…` until the string is too long: 15-20 s of CPU before a
 * config error is shown (tests/preflight.test.ts). Other errors keep their stack.
 */
export function rethrowWithoutStack(error: unknown): never {
    if (pulumi.RunError.isInstance(error)) (error as Error).stack = `${(error as Error).name}: ${(error as Error).message}`;
    throw error;
}
