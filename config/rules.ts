/**
 * Value rules for single keys: pure predicates with the wording of what is
 * allowed. Each returns undefined when the value is fine, or the problem.
 */
import { Region } from "@pulumi/aws/types/enums";
import { closest, distance } from "fastest-levenshtein";

// The CloudFormation template's DomainName pattern (lower-case FQDN).
const FQDN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/;
const CLUSTER_ID = /^[a-z0-9_-]+$/;
const OPENVIDU_SECRET = /^[a-zA-Z0-9_-]+$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
const AMI_ID = /^ami-[0-9a-f]{8,17}$/;
// EC2 RegisterImage: 3-128 characters of letters, digits, ( ) [ ] space . / - ' @ _
const AMI_NAME_CHARACTERS = /^[A-Za-z0-9()[\] ./'@_-]+$/;
const AWS_ACCOUNT_ID = /^\d{12}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const HOSTED_ZONE_ID = /^[A-Z0-9]{8,32}$/;
const ENV_KEY = /^[A-Z][A-Z0-9_]*$/;
const CERTIFICATE_ARN = /^arn:aws(?:-cn|-us-gov)?:acm:([a-z0-9-]+):\d{12}:certificate\/[A-Za-z0-9-]+$/;
// scheme://host:port[/path]; the port must be written out (OpenVidu requires it, even 443).
const URL_WITH_PORT = /^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})(?:[/?#][^\s]*)?$/;
const NO_SPACES_OR_QUOTES = /^[^\s"'`]+$/;

export type Problem = string | undefined;

export function domainName(value: string): Problem {
    if (value.length > 253 || !FQDN.test(value)) {
        return "must be a lower-case fully qualified domain name such as openvidu.example.com " +
            "(labels of a-z, 0-9 and '-', separated by dots)";
    }
    return undefined;
}

export function clusterId(value: string): Problem {
    return CLUSTER_ID.test(value) ? undefined : "may only contain a-z, 0-9, '_' and '-' (pattern ^[a-z0-9_-]+$)";
}

export function notBlank(value: string): Problem {
    return value.trim() === "" ? "must not be blank" : undefined;
}

export function openviduSecret(value: string): Problem {
    return OPENVIDU_SECRET.test(value) ? undefined : "may only contain A-Z, a-z, 0-9, '_' and '-'";
}

export function noSpacesOrQuotes(value: string): Problem {
    return NO_SPACES_OR_QUOTES.test(value) ? undefined : "must not be empty or contain spaces or quotes";
}

/**
 * A value the program can write to the `.env` as `KEY=value` and that reads
 * back the same both ways OpenVidu reads it: Docker Compose (which strips
 * surrounding quotes and spaces) and its launcher's `grep KEY .env | cut -d= -f2`
 * (which keeps them).
 */
export function envValue(value: string): Problem {
    if (/[\r\n]/.test(value)) return "must be a single line (it is written to the .env as KEY=value)";
    if (value !== value.trim()) return "must not begin or end with spaces (Docker Compose and OpenVidu's launcher would read it differently)";
    if (/^["'`]/.test(value)) return "must not begin with a quote (OpenVidu's launcher would keep it, Docker Compose would strip it)";
    return undefined;
}

/** For the keys OpenVidu's launcher reads with `grep | cut -d= -f2`, which keeps only the text before a second '='. */
export function noEquals(value: string): Problem {
    return value.includes("=") ? "must not contain '=' (OpenVidu's launcher reads it with cut -d= -f2 and would cut it there)" : undefined;
}

/** OpenVidu's launcher refuses to start with a shorter Elasticsearch password. */
export function elasticsearchPassword(value: string): Problem {
    return noSpacesOrQuotes(value) ?? noEquals(value) ??
        (value.length < 6 ? "must be at least 6 characters (OpenVidu's launcher refuses to start with a shorter one)" : undefined);
}

/** The first problem of several rules. */
export function allOf(...checks: Array<(value: string) => Problem>): (value: string) => Problem {
    return (value) => checks.map((check) => check(value)).find((problem) => problem !== undefined);
}

export function urlWithPort(value: string): Problem {
    const match = URL_WITH_PORT.exec(value);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
        return "must be an http(s) URL with an explicit port, even 443 (e.g. https://search.example.com:443)";
    }
    return undefined;
}

export function certificateArn(value: string, region: string | undefined): Problem {
    const match = CERTIFICATE_ARN.exec(value);
    if (!match) {
        return "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)";
    }
    if (region && match[1] !== region) {
        return `is in region ${match[1]}, but the load balancer is in ${region}: ` +
            `an ALB can only use an ACM certificate of its own region`;
    }
    return undefined;
}

export function hostedZoneId(value: string): Problem {
    return HOSTED_ZONE_ID.test(value) ? undefined : "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ";
}

export function instanceType(value: string): Problem {
    return INSTANCE_TYPE.test(value) ? undefined : "must be an EC2 instance type name such as c5.xlarge";
}

/**
 * How an AMI key's value is read: a value that begins with `ami-` is an id
 * (and must be a well-formed one); anything else is an image name. So a
 * mistyped id is reported as such, never looked up as a name.
 */
export function isAmiIdForm(value: string): boolean {
    return value.startsWith("ami-");
}

/** `openvidu:masterAmiId` / `mediaAmiId`: an AMI id, or the exact name of an image. */
export function amiIdOrName(value: string): Problem {
    if (isAmiIdForm(value)) {
        return AMI_ID.test(value) ? undefined
            : "begins with ami- but is not an AMI id (ami- followed by 8 or 17 lower-case hex digits); " +
                "image names that begin with ami- are not accepted, so that a mistyped id is never looked up as a name";
    }
    if (/[*?]/.test(value)) {
        return "must be the exact image name, without wildcards (* or ?): a pattern could match a newer image than the one you reviewed";
    }
    if (value.length < 3 || value.length > 128 || !AMI_NAME_CHARACTERS.test(value)) {
        return "must be an AMI id (ami-...) or an image name as AWS allows them: 3 to 128 characters of letters, digits, " +
            "spaces and ( ) [ ] . / - ' @ _";
    }
    return undefined;
}

export function awsAccountId(value: string): Problem {
    if (AWS_ACCOUNT_ID.test(value)) return undefined;
    // YAML reads an unquoted 012345678901 as the number 12345678901: the leading zeros are gone.
    const lostZeros = /^\d{1,11}$/.test(value)
        ? ` (got ${value.length} digits: an account id that starts with 0 must be quoted in the stack file, ` +
            `e.g. openvidu:amiOwnerId: "${value.padStart(12, "0")}", or YAML reads it as a number and drops the zeros)`
        : "";
    return "must be a 12-digit AWS account id: the OwnerId that `aws ec2 describe-images` shows for OpenVidu's images (docs/amis.md)" + lostZeros;
}

export function vpcId(value: string): Problem {
    return VPC_ID.test(value) ? undefined : "must be a VPC id (vpc- followed by 8 or 17 hex digits)";
}

export function subnetId(value: string): Problem {
    return SUBNET_ID.test(value) ? undefined : "must be a subnet id (subnet- followed by 8 or 17 hex digits)";
}

/** The regions of every partition (aws, aws-cn, aws-us-gov, ...) that the pinned @pulumi/aws knows. */
export const KNOWN_REGIONS: readonly string[] = Object.values(Region);

export function region(value: string): Problem {
    if (KNOWN_REGIONS.includes(value)) return undefined;
    const nearest = closest(value, KNOWN_REGIONS as string[]);
    const hint = distance(value, nearest) <= 2 ? `; did you mean ${nearest}?` : "";
    if (!REGION.test(value)) return `must be an AWS region name such as eu-west-1${hint}`;
    // A region newer than the pinned provider would fail later, at the first API call, with a less clear error.
    return `is not a region the pinned @pulumi/aws knows (${value})${hint} ` +
        "(regions of the aws, aws-cn and aws-us-gov partitions; a newly launched region needs a newer @pulumi/aws)";
}

export function envKey(value: string): Problem {
    return ENV_KEY.test(value) ? undefined : "must match ^[A-Z][A-Z0-9_]*$";
}

export function integerAtLeast(value: number, min: number, max = Number.MAX_SAFE_INTEGER): Problem {
    return value >= min && value <= max ? undefined : `must be a whole number from ${min} to ${max} (got ${value})`;
}

/**
 * S3 general purpose bucket naming rules
 * (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 */
export function bucketName(value: string): Problem {
    const rules: Array<[boolean, string]> = [
        [value.length >= 3 && value.length <= 63, "3 to 63 characters"],
        [/^[a-z0-9.-]+$/.test(value), "only lower-case letters, digits, '.' and '-'"],
        [/^[a-z0-9].*[a-z0-9]$/.test(value), "begins and ends with a letter or digit"],
        [!value.includes(".."), "no two adjacent dots"],
        [!/^\d{1,3}(\.\d{1,3}){3}$/.test(value), "not formatted as an IP address"],
        [!/^(xn--|sthree-|amzn-s3-demo-)/.test(value), "no reserved prefix (xn--, sthree-, amzn-s3-demo-)"],
        [!/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(value), "no reserved suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)"],
    ];
    const broken = rules.filter(([ok]) => !ok).map(([, rule]) => rule);
    return broken.length === 0 ? undefined : `is not a valid S3 bucket name: needs ${broken.join("; ")}`;
}

// An IAM role (any path) or user, or an account's root: what `aws:PrincipalArn` compares against.
const PRINCIPAL_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:(?:root|(?:role|user)\/[\w+=,.@/-]{1,512})$/;
const ASSUMED_ROLE_ARN = /^arn:aws(?:-cn|-us-gov)?:sts::\d{12}:assumed-role\/([\w+=,.@-]+)\//;
const CACHE_NODE_TYPE = /^cache\.[a-z0-9]+\.[a-z0-9]+$/;

/**
 * An IAM role or user ARN as `aws:PrincipalArn` gives it. `emptyMeans` ends the
 * message with what an empty value would mean, for a key that accepts one.
 */
export function principalArn(value: string, emptyMeans = "or empty for the role running `pulumi up`"): Problem {
    const session = ASSUMED_ROLE_ARN.exec(value);
    if (session) {
        // aws:PrincipalArn of a session is its role's ARN (with the role's path), never the session's.
        return `is an STS session ARN; give the role's ARN instead (arn:aws:iam::<account>:role/<path>${session[1]}, ` +
            "see `aws iam get-role --role-name " + session[1] + "`)";
    }
    return PRINCIPAL_ARN.test(value) ? undefined
        : `must be an IAM role or user ARN (arn:aws:iam::<account>:role/<name> or :user/<name>)${emptyMeans ? `, ${emptyMeans}` : ""}`;
}

export function cacheNodeType(value: string): Problem {
    return CACHE_NODE_TYPE.test(value) ? undefined : "must be an ElastiCache node type such as cache.t3.medium or cache.t4g.micro";
}

/**
 * The retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days.
 * Its 0 ("never expire") is left out: a group of the cluster always expires its events.
 */
export const LOG_RETENTION_DAYS: readonly number[] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export function logRetentionDays(value: number): Problem {
    return LOG_RETENTION_DAYS.includes(value) ? undefined
        : `must be a retention CloudWatch Logs accepts, in days: one of ${LOG_RETENTION_DAYS.join(", ")} (got ${value})`;
}

/** One of `allowed`, worded with them all. */
export function oneOf(allowed: readonly string[]): (value: string) => Problem {
    return (value) => allowed.includes(value) ? undefined : `must be one of ${allowed.join(", ")} (got "${value}")`;
}

const EMAIL = /^[^@\s"'<>,;]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const SNS_TOPIC_ARN = /^arn:aws(?:-cn|-us-gov)?:sns:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$/;

export function emailAddress(value: string): Problem {
    return EMAIL.test(value) ? undefined : "must be an e-mail address such as ops@example.com";
}

/** A standard SNS topic of the stack's region: CloudWatch alarms publish only to their own region's topics. */
export function snsTopicArn(value: string, region: string | undefined): Problem {
    const match = SNS_TOPIC_ARN.exec(value);
    if (!match) return "must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)";
    if (match[3].endsWith(".fifo")) return "is a FIFO topic: CloudWatch alarms publish only to standard topics";
    if (region !== undefined && match[1] !== region) {
        return `is in region ${match[1]}, but the stack is in ${region}: alarms publish only to a topic of their own region`;
    }
    return undefined;
}
