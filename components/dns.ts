import * as pulumi from "@pulumi/pulumi";

export interface ClusterCertificateArgs {
    domainName: string;
    /** Used as is when given. */
    certificateArn?: string;
    /** Without certificateArn: an ACM certificate validated by DNS in this zone. */
    hostedZoneId?: string;
}

/**
 * The load balancer's certificate: the configured one, or a new ACM
 * certificate validated through Route 53.
 * STUB: being implemented (issue 3).
 */
export class ClusterCertificate extends pulumi.ComponentResource {
    /** ARN of a certificate that is issued (validation complete). */
    readonly certificateArn: pulumi.Output<string>;

    constructor(name: string, args: ClusterCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:ClusterCertificate", name, {}, opts);
        this.certificateArn = pulumi.output(args.certificateArn ?? "arn:aws:acm:stub");
        this.registerOutputs({ certificateArn: this.certificateArn });
    }
}

export interface DomainRecordArgs {
    domainName: string;
    hostedZoneId: string;
    loadBalancerDnsName: pulumi.Input<string>;
    loadBalancerZoneId: pulumi.Input<string>;
}

/**
 * The Route 53 alias record pointing the domain at the load balancer (the
 * reference's manual "point your CNAME" step).
 * STUB: being implemented (issue 3).
 */
export class DomainRecord extends pulumi.ComponentResource {
    constructor(name: string, _args: DomainRecordArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:DomainRecord", name, {}, opts);
        this.registerOutputs({});
    }
}
