/**
 * Values that are examples, never a real deployment's: AWS's documentation
 * account, the domains RFC 2606 reserves for examples, and the sample ids of
 * the committed stack files. A stack still carrying one was not filled in:
 * the plan lists them and every preview and update warns, naming each key
 * (a deployer ARN in the example account, for one, leaves the real deployer
 * denied the `.env`).
 */
import { OpenViduConfig } from "./types";

/** AWS's documentation account id, used in every example ARN of the stack files and the docs. */
export const EXAMPLE_ACCOUNT_ID = "123456789012";
/** RFC 2606's example domains (and their subdomains). */
const EXAMPLE_DOMAIN = /(^|\.)example\.(com|net|org)$|\.example$/;
/** The stack files' sample AMI ids and hosted zone id. */
const SAMPLE_IDS = new Set(["ami-0123456789abcdef0", "ami-0fedcba9876543210", "Z0123456789ABCDEFGHIJ"]);

export interface ExampleValue {
    /** The full config key, e.g. `openvidu:deployerRoleArn`. */
    key: string;
    message: string;
}

const inExampleAccount = (arn: string | undefined): boolean => arn !== undefined && arn.split(":")[4] === EXAMPLE_ACCOUNT_ID;

export function exampleValues(config: OpenViduConfig): ExampleValue[] {
    const found: ExampleValue[] = [];
    const add = (key: string, what: string): void => {
        found.push({ key: `openvidu:${key}`, message: `is an example value (${what}): set your own before deploying` });
    };
    if (EXAMPLE_DOMAIN.test(config.domainName)) add("domainName", "a domain reserved for examples");
    if (inExampleAccount(config.certificateArn)) add("certificateArn", `AWS's documentation account ${EXAMPLE_ACCOUNT_ID}`);
    if (inExampleAccount(config.deployerRoleArn)) {
        add("deployerRoleArn", `AWS's documentation account ${EXAMPLE_ACCOUNT_ID}; the bucket policy would let that role, not your deployer, write the .env`);
    }
    if ((config.envReaderArns ?? []).some(inExampleAccount)) add("envReaderArns", `AWS's documentation account ${EXAMPLE_ACCOUNT_ID}`);
    for (const key of ["masterAmiId", "mediaAmiId", "hostedZoneId"] as const) {
        if (SAMPLE_IDS.has(String(config[key] ?? ""))) add(key, "the stack files' sample id");
    }
    return found;
}
