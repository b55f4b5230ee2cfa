/**
 * Temporary role credentials (access key, secret, session token) from Ceph
 * RGW's STS, so the masters' signed requests carry `x-amz-security-token`
 * exactly as with an EC2 instance role, and RGW checks the token and the
 * signature. Needs RGW started with `STS_CONFIGURATION`.
 */
import { execFileSync } from "child_process";
import { Rgw } from "../rgw";
import { RoleCredentials } from "./imds";

/** ceph.conf lines enabling STS (AssumeRole) on the gateway; the key is RGW's token encryption key (16 chars). */
export const STS_CONFIGURATION = ["rgw sts key = ovbootsimstskey0", "rgw s3 auth use sts = true"];

/** Creates a role the test user may assume, with `actions` allowed on every bucket (none: no access). */
export function createRole(rgw: Rgw, roleName: string, actions: string[]): void {
    rgw.admin(["caps", "add", "--uid=test", "--caps=roles=*"]);
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: ["arn:aws:iam:::user/test"] }, Action: ["sts:AssumeRole"] }] };
    rgw.admin(["role", "create", `--role-name=${roleName}`, "--path=/", `--assume-role-policy-doc=${JSON.stringify(trust)}`]);
    if (actions.length > 0) {
        const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: ["arn:aws:s3:::*"] }] };
        rgw.admin(["role-policy", "put", `--role-name=${roleName}`, "--policy-name=boot", `--policy-doc=${JSON.stringify(policy)}`]);
    }
}

/** AssumeRole through RGW's STS API (signed by curl), as the EC2 service does for an instance profile. */
export function assumeRole(rgw: Rgw, roleName: string): RoleCredentials {
    const xml = execFileSync("curl", [
        "-fsS", "--aws-sigv4", "aws:amz:us-east-1:sts", "-u", `${rgw.accessKey}:${rgw.secretKey}`, "-X", "POST",
        "-d", `Action=AssumeRole&RoleArn=arn:aws:iam:::role/${roleName}&RoleSessionName=master&DurationSeconds=3600&Version=2011-06-15`,
        `${rgw.endpoint}/`,
    ], { encoding: "utf8" });
    const field = (name: string): string => {
        const match = new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml);
        if (!match) throw new Error(`AssumeRole answered without ${name}`);
        return match[1];
    };
    return { AccessKeyId: field("AccessKeyId"), SecretAccessKey: field("SecretAccessKey"), Token: field("SessionToken") };
}
