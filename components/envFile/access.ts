/**
 * How the `.env` provider's S3 client authenticates: the way the stack's AWS
 * provider does (`aws:profile`, `aws:assumeRoles`, shared files, a custom S3
 * endpoint), so the `.env` is written with the same identity as the bucket.
 * Only settings that are not secret become the resource's inputs (they are
 * kept in state); `aws:accessKey`/`aws:secretKey`/`aws:token` reach the
 * provider at run time from the engine (see s3.ts) and are never stored.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, ConfigProblem } from "../../config/errors";
import { AssumedRole, S3Access } from "./s3";

type Json = Record<string, unknown>;

/** A Go-style duration as `aws:assumeRoles[].duration` takes it (`1h`, `15m`, `900s`, `1h30m`). */
function durationSeconds(duration: string): number | undefined {
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration.trim());
    if (match === null || duration.trim() === "") return undefined;
    return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

function parsed(value: unknown): unknown {
    if (typeof value !== "string") return value;
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

function role(raw: Json, key: string, problems: ConfigProblem[]): AssumedRole | undefined {
    if (typeof raw.roleArn !== "string" || raw.roleArn === "") {
        problems.push({ key, message: "each role needs a roleArn" });
        return undefined;
    }
    let seconds = typeof raw.durationSeconds === "number" ? raw.durationSeconds : undefined;
    if (typeof raw.duration === "string") {
        seconds = durationSeconds(raw.duration);
        if (seconds === undefined) problems.push({ key, message: `duration must read like 1h, 15m or 900s` });
    }
    const text = (name: string): string | undefined => typeof raw[name] === "string" && raw[name] !== "" ? raw[name] as string : undefined;
    const list = (name: string): string[] | undefined => Array.isArray(raw[name]) ? raw[name] as string[] : undefined;
    const result: AssumedRole = {
        roleArn: raw.roleArn,
        sessionName: text("sessionName"),
        externalId: text("externalId"),
        durationSeconds: seconds,
        policy: text("policy"),
        policyArns: list("policyArns"),
        sourceIdentity: text("sourceIdentity"),
        tags: raw.tags !== null && typeof raw.tags === "object" ? raw.tags as Record<string, string> : undefined,
        transitiveTagKeys: list("transitiveTagKeys"),
    };
    return Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined)) as unknown as AssumedRole;
}

function oneFile(config: Json, name: string, problems: ConfigProblem[]): string | undefined {
    const files = parsed(config[name]);
    if (files === undefined) return undefined;
    if (!Array.isArray(files) || files.length > 1) {
        problems.push({ key: `aws:${name}`, message: "the .env writer reads one file: list exactly one, or use aws:profile with the default files" });
        return undefined;
    }
    return files[0] as string | undefined;
}

/**
 * The S3 access settings for the AWS provider's stack config (`aws:*`, by
 * short key, values as the stack file holds them), and what cannot be followed.
 */
export function s3AccessFrom(config: Json): { access: S3Access; problems: ConfigProblem[] } {
    const problems: ConfigProblem[] = [];
    const access: S3Access = {};
    if (typeof config.profile === "string" && config.profile !== "") access.profile = config.profile;
    const credentialsFile = oneFile(config, "sharedCredentialsFiles", problems);
    const configFile = oneFile(config, "sharedConfigFiles", problems);
    if (credentialsFile) access.sharedCredentialsFile = credentialsFile;
    if (configFile) access.sharedConfigFile = configFile;
    // `aws:assumeRoles` (provider v7: a list, assumed in turn); `aws:assumeRole` (v6: one).
    const roles = parsed(config.assumeRoles) ?? (config.assumeRole === undefined ? undefined : [parsed(config.assumeRole)]);
    if (roles !== undefined) {
        const key = config.assumeRoles !== undefined ? "aws:assumeRoles" : "aws:assumeRole";
        if (!Array.isArray(roles)) problems.push({ key, message: "must be a list of roles ({roleArn, sessionName, externalId, duration})" });
        else access.assumeRoles = roles.map((r) => role((r ?? {}) as Json, key, problems)).filter((r): r is AssumedRole => r !== undefined);
    }
    if (config.assumeRoleWithWebIdentity !== undefined) {
        problems.push({
            key: "aws:assumeRoleWithWebIdentity",
            message: "is not followed by the .env writer: set AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE in the environment instead (both the AWS provider and the writer read them)",
        });
    }
    const endpoints = parsed(config.endpoints);
    const s3Endpoint = Array.isArray(endpoints) ? endpoints.map((e) => (e as Json)?.s3).find((e) => typeof e === "string") : undefined;
    if (typeof s3Endpoint === "string") access.endpoint = s3Endpoint;
    return { access, problems };
}

/** The S3 access settings of the running stack's AWS provider config; throws a ConfigError for what cannot be followed. */
export function s3AccessFromStackConfig(): S3Access {
    const aws = Object.fromEntries(Object.entries(pulumi.runtime.allConfig())
        .filter(([key]) => key.startsWith("aws:"))
        .map(([key, value]) => [key.slice("aws:".length), value]));
    const { access, problems } = s3AccessFrom(aws);
    if (problems.length > 0) throw new ConfigError(problems);
    return access;
}
