import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { applyTransform, Transform } from "./transform";

/** AWS's managed policy for SSM Session Manager: shell access without SSH keys or port 22. */
export const SSM_MANAGED_POLICY = "AmazonSSMManagedInstanceCore";

export interface InstanceRoleInput {
    /** Physical name prefix (IAM names are limited to 64; namePrefix takes ≤ 38). */
    namePrefix: string;
    description: string;
    /** An inline policy document (JSON) for what the nodes do beyond SSM. */
    policy?: pulumi.Input<string>;
    transform?: Transform<aws.iam.RoleArgs>;
}

export interface InstanceRole {
    role: aws.iam.Role;
    profile: aws.iam.InstanceProfile;
}

/**
 * An EC2 instance role and profile: SSM Session Manager always, plus the
 * given inline policy. Created as children of `parent`, named `<name>-role`...
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
    const partition = aws.getPartitionOutput({}, opts).partition;
    new aws.iam.RolePolicyAttachment(`${name}-ssm`, {
        role: role.name,
        policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${SSM_MANAGED_POLICY}`,
    }, opts);
    if (input.policy !== undefined) {
        new aws.iam.RolePolicy(`${name}-policy`, { role: role.name, policy: input.policy }, opts);
    }
    const profile = new aws.iam.InstanceProfile(`${name}-profile`, {
        namePrefix: input.namePrefix.slice(0, 38),
        role: role.name,
    }, opts);
    return { role, profile };
}
