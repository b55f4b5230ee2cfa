/**
 * Deploys two OpenVidu environments from code with the Automation API:
 * a small `staging` and a highly available `production`, sharing one base
 * configuration. Needs the pulumi CLI, a Pulumi backend (PULUMI_ACCESS_TOKEN
 * or PULUMI_BACKEND_URL) and AWS credentials.
 *
 *   OPENVIDU_LICENSE=... npx ts-node examples/two-environments.ts
 *   npx ts-node examples/two-environments.ts --destroy
 */
import { deploy, destroy, PulumiCliMissingError, StackRequest } from "../automation";
import { OpenViduStackConfig } from "../config";

const base: OpenViduStackConfig = {
    domainName: "openvidu.example.com",
    license: process.env.OPENVIDU_LICENSE ?? "",
    hostedZoneId: "Z0123456789ABCDEFGHIJ",
    masterAmiId: "ami-0123456789abcdef0",
    mediaAmiId: "ami-0fedcba9876543210",
    elasticsearchEnabled: false,
};

export const environments: StackRequest[] = [
    {
        stackName: "staging",
        region: "eu-west-1",
        config: {
            ...base,
            domainName: "staging.openvidu.example.com",
            masterInstanceType: "t3.large",
            mediaInstanceType: "t3.large",
            minMasterNodes: 1, desiredMasterNodes: 1, maxMasterNodes: 2,
            minMediaNodes: 1, desiredMediaNodes: 1, maxMediaNodes: 2,
        },
    },
    {
        stackName: "production",
        region: "eu-west-1",
        config: {
            ...base,
            minMasterNodes: 2, desiredMasterNodes: 3, maxMasterNodes: 4,
            minMediaNodes: 2, desiredMediaNodes: 4, maxMediaNodes: 10,
            scaleUpCpu: 70, scaleDownCpu: 30,
        },
    },
];

async function main(): Promise<void> {
    const tearDown = process.argv.includes("--destroy");
    const abort = new AbortController();
    process.once("SIGINT", () => abort.abort()); // Ctrl-C cancels the running update cleanly
    for (const environment of environments) {
        const request = { ...environment, signal: abort.signal, onOutput: (line: string) => process.stdout.write(line) };
        if (tearDown) {
            await destroy(request);
            continue;
        }
        const outputs = await deploy(request);
        console.log(`${environment.stackName}: ${outputs.loadBalancerUrl} (inspector: ${outputs.inspectorUrl})`);
    }
}

/**
 * The message for a failure: the module's own errors say what to do (a missing
 * Pulumi CLI, every configuration mistake at once, one line per key).
 */
export function explainFailure(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof PulumiCliMissingError) return `${message}; then log in to a backend (\`pulumi login\`, or PULUMI_BACKEND_URL) and run this again.`;
    return message;
}

if (require.main === module) {
    main().catch((error) => {
        console.error(explainFailure(error));
        process.exit(1);
    });
}
