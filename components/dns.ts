import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";

export interface ClusterCertificateArgs {
    /** @example "openvidu.example.com" */
    domainName: string;
    /** Used as is when given (nothing is created). */
    certificateArn?: string;
    /** Without certificateArn: an ACM certificate validated by DNS in this zone. */
    hostedZoneId?: string;
}

/**
 * The load balancer's certificate: the configured one, or a new ACM
 * certificate validated through Route 53 (the config requires one of the two).
 *
 * @example
 * const cert = new ClusterCertificate("openvidu-certificate", { domainName, hostedZoneId: "Z123" });
 */
export class ClusterCertificate extends pulumi.ComponentResource {
    /** ARN of a certificate that is issued (validation complete). */
    readonly certificateArn: pulumi.Output<string>;

    constructor(name: string, args: ClusterCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:ClusterCertificate", name, {}, opts);
        if (args.certificateArn !== undefined) {
            this.certificateArn = pulumi.output(args.certificateArn);
        } else if (args.hostedZoneId !== undefined) {
            this.certificateArn = this.issueCertificate(name, args.domainName, args.hostedZoneId);
        } else {
            // config/validate.ts rejects this combination; reaching it is a wiring bug.
            throw new Error("ClusterCertificate needs certificateArn or hostedZoneId");
        }
        this.registerOutputs({ certificateArn: this.certificateArn });
    }

    private issueCertificate(name: string, domainName: string, hostedZoneId: string): pulumi.Output<string> {
        const parent = { parent: this };
        const certificate = new aws.acm.Certificate(`${name}-cert`, {
            domainName,
            validationMethod: "DNS",
            tags: { Name: domainName },
        }, parent);
        // One domain, so one validation record; built from outputs, not inside an apply,
        // so the record shows in every preview.
        const option = certificate.domainValidationOptions.apply((options) => options[0]);
        const record = new aws.route53.Record(`${name}-validation`, {
            zoneId: hostedZoneId,
            name: option.resourceRecordName,
            type: option.resourceRecordType,
            records: [option.resourceRecordValue],
            ttl: 300,
            allowOverwrite: true,
        }, parent);
        const validation = new aws.acm.CertificateValidation(`${name}-validated`, {
            certificateArn: certificate.arn,
            validationRecordFqdns: [record.fqdn],
        }, parent);
        return validation.certificateArn;
    }
}

export interface DomainRecordArgs {
    domainName: string;
    hostedZoneId: string;
    loadBalancerDnsName: pulumi.Input<string>;
    loadBalancerZoneId: pulumi.Input<string>;
    /**
     * Take over a record of the domain that already exists in the zone.
     * @default false
     */
    overwrite?: boolean;
}

/** The config key that allows taking over an existing record (config/schema.ts). */
const OVERWRITE_KEY = "openvidu:overwriteDnsRecord";

/**
 * The Route 53 record pointing the domain at the load balancer: the
 * reference guide's manual "point your CNAME" step, done by the program.
 *
 * Route 53 never creates a record over an existing one, and a CNAME (what
 * that guide had operators create) cannot even stand beside an A record, so
 * an upsert of the alias would fail as well. The zone's records of the
 * domain are therefore looked up first (in previews too):
 * - none, or an A record (this stack's own after its first update): an alias
 *   A record, upserting over an existing one only with `overwrite`;
 * - a CNAME, with `overwrite`: the stack takes it over and keeps it a CNAME,
 *   now to the load balancer;
 * - a CNAME without `overwrite`: a ConfigError that says what to do.
 *
 * @example
 * new DomainRecord("openvidu-dns", { domainName, hostedZoneId, loadBalancerDnsName, loadBalancerZoneId });
 */
export class DomainRecord extends pulumi.ComponentResource {
    readonly fqdn: pulumi.Output<string>;

    constructor(name: string, args: DomainRecordArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:DomainRecord", name, {}, opts);
        const overwrite = args.overwrite ?? false;
        const existing = aws.route53.getRecordsOutput(recordsQuery(args.domainName, args.hostedZoneId), { parent: this });
        const asCname = existing.resourceRecordSets.apply((sets) => {
            const cname = hasCname(sets);
            if (cname && !overwrite) throw existingCnameError(args.domainName, args.hostedZoneId);
            return cname;
        });
        const record = new aws.route53.Record(`${name}-alias`, {
            zoneId: args.hostedZoneId,
            name: args.domainName,
            type: asCname.apply((cname) => (cname ? "CNAME" : "A")),
            aliases: pulumi.all([asCname, args.loadBalancerDnsName, args.loadBalancerZoneId]).apply(([cname, dnsName, zoneId]) =>
                cname ? undefined : [{ name: dnsName, zoneId, evaluateTargetHealth: true }]),
            records: pulumi.all([asCname, args.loadBalancerDnsName]).apply(([cname, dnsName]) => (cname ? [dnsName] : undefined)),
            ttl: asCname.apply((cname) => (cname ? 60 : undefined)),
            allowOverwrite: overwrite,
        }, { parent: this });
        this.fqdn = record.fqdn;
        this.registerOutputs({ fqdn: this.fqdn });
    }
}

function existingCnameError(domainName: string, hostedZoneId: string): ConfigError {
    return new ConfigError([{
        key: OVERWRITE_KEY,
        message: `a CNAME record for ${domainName} already exists in hosted zone ${hostedZoneId} (e.g. the one the ` +
            "CloudFormation guide had you create), and Route 53 cannot add this stack's record beside it. " +
            `Set ${OVERWRITE_KEY} to true to let this stack take it over (it then points it at the load balancer; ` +
            "keep the key true from then on), or delete that record and run again.",
    }]);
}

/** The query for the domain's existing records in the zone. */
function recordsQuery(domainName: string, hostedZoneId: string): aws.route53.GetRecordsArgs {
    return { zoneId: hostedZoneId, nameRegex: `^${domainName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.?$` };
}

function hasCname(sets: Array<{ type: string }>): boolean {
    return sets.some((set) => set.type === "CNAME");
}

/**
 * The domain's existing records, looked up before any resource exists (program.ts's
 * preflight): a CNAME the stack may not take over is a ConfigError.
 */
export async function checkDomainRecord(domainName: string, hostedZoneId: string, overwrite: boolean): Promise<void> {
    const existing = await aws.route53.getRecords(recordsQuery(domainName, hostedZoneId));
    if (hasCname(existing.resourceRecordSets) && !overwrite) throw existingCnameError(domainName, hostedZoneId);
}
