import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The deployer as `aws:PrincipalArn` names it in a bucket policy: the
 * configured ARN, or else the principal running `pulumi up`. For an assumed
 * role the caller identity is a session (`arn:aws:sts::…:assumed-role/NAME/SESSION`)
 * and the condition key holds the role's ARN, path included
 * (`arn:aws:iam::…:role/aws-reserved/sso.amazonaws.com/…/NAME` for IAM
 * Identity Center); the provider's session context resolves it (`iam:GetRole`).
 * Users and the root user pass through unchanged.
 */
export function deployerPrincipalArn(configured: string | undefined, opts: pulumi.InvokeOutputOptions): pulumi.Output<string> {
    if (configured !== undefined) {
        return pulumi.output(configured);
    }
    const caller = aws.getCallerIdentityOutput({}, opts);
    return aws.iam.getSessionContextOutput({ arn: caller.arn }, opts).issuerArn;
}
