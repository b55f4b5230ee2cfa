import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

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
}

/**
 * The Route 53 alias record pointing the domain at the load balancer: the
 * reference guide's manual "point your CNAME" step, done by the program.
 *
 * @example
 * new DomainRecord("openvidu-dns", { domainName, hostedZoneId, loadBalancerDnsName, loadBalancerZoneId });
 */
export class DomainRecord extends pulumi.ComponentResource {
    readonly fqdn: pulumi.Output<string>;

    constructor(name: string, args: DomainRecordArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:DomainRecord", name, {}, opts);
        const record = new aws.route53.Record(`${name}-alias`, {
            zoneId: args.hostedZoneId,
            name: args.domainName,
            type: "A",
            aliases: [{ name: args.loadBalancerDnsName, zoneId: args.loadBalancerZoneId, evaluateTargetHealth: true }],
        }, { parent: this });
        this.fqdn = record.fqdn;
        this.registerOutputs({ fqdn: this.fqdn });
    }
}
