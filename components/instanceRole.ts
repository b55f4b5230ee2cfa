import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SsmAccess } from "../config/types";
import { applyTransform, Transform } from "./transform";

/**
 * AWS's managed policy for Systems Manager's core features (`ssmAccess: managed`):
 * Session Manager, Run Command, Patch Manager, inventory, and also
 * `ssm:GetParameter(s)` on every parameter of the account (docs/iam.md lists it).
 */
export const SSM_MANAGED_POLICY = "AmazonSSMManagedInstanceCore";

/**
 * `ssmAccess: session`: only what the SSM agent needs to register the node and
 * open a Session Manager shell (AWS's minimal Session Manager instance policy).
 * No Parameter Store, no Run Command. These actions take no resource ARN.
 */
export const SESSION_MANAGER_STATEMENT = {
    Sid: "SessionManagerShell",
    Effect: "Allow",
    Action: [
        "ssm:UpdateInstanceInformation",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    ],
    Resource: "*",
} as const;

export interface InstanceRoleInput {
    /** Physical name prefix (IAM names are limited to 64; namePrefix takes ≤ 38). */
    namePrefix: string;
    description: string;
    /** What SSM may do on the nodes (see SSM_MANAGED_POLICY and SESSION_MANAGER_STATEMENT). */
    ssmAccess: SsmAccess;
    /** An inline policy document (JSON) for what the nodes do beyond SSM. */
    policy?: pulumi.Input<string>;
    transform?: Transform<aws.iam.RoleArgs>;
}

export interface InstanceRole {
    role: aws.iam.Role;
    profile: aws.iam.InstanceProfile;
}

/**
 * An EC2 instance role and profile: the chosen SSM access plus the given
 * inline policy. Created as children of `parent`, named `<name>-role`...
 */
export function createInstanceRole(parent: pulumi.Resource, name: string, input: InstanceRoleInput): InstanceRole {
    const opts = { parent };
    const role = new aws.iam.Role(...applyTransform(input.transform, `${name}-role`, {
        namePrefix: input.namePrefix.slice(0, 38),
        description: input.description,
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
    }, opts));
    if (input.ssmAccess === "managed") {
        const partition = aws.getPartitionOutput({}, opts).partition;
        new aws.iam.RolePolicyAttachment(`${name}-ssm`, {
            role: role.name,
            policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${SSM_MANAGED_POLICY}`,
        }, opts);
    } else if (input.ssmAccess === "session") {
        new aws.iam.RolePolicy(`${name}-ssm-session`, {
            role: role.name,
            policy: JSON.stringify({ Version: "2012-10-17", Statement: [SESSION_MANAGER_STATEMENT] }),
        }, opts);
    }
    if (input.policy !== undefined) {
        new aws.iam.RolePolicy(`${name}-policy`, { role: role.name, policy: input.policy }, opts);
    }
    const profile = new aws.iam.InstanceProfile(`${name}-profile`, {
        namePrefix: input.namePrefix.slice(0, 38),
        role: role.name,
    }, opts);
    return { role, profile };
}
