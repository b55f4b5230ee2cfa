/**
 * What a remote component creates inside itself. `awsx:ec2:Vpc` runs in the
 * awsx provider's own process: under mocks (and in the plan) it is one row,
 * but `pulumi up` creates a VPC, its subnets, route tables, routes and an
 * internet gateway beneath it. This counts them from the component's inputs,
 * following awsx 3's Vpc (awsx/ec2/vpc.ts in pulumi/pulumi-awsx): per
 * availability zone and subnet spec, a subnet, a route table and its
 * association; a route to the internet gateway for a public subnet (to a NAT
 * gateway for a private one, unless the strategy is None); NAT gateways and
 * their Elastic IPs by strategy (OnePerAz: one per zone; Single: one); one
 * VPC endpoint per spec. Where the model stops: explicit `availabilityZoneNames`
 * are counted as given; "Unused" subnet specs create nothing.
 */

/** Resource type → how many the component creates inside itself. */
export type Contents = Record<string, number>;

interface VpcInputs {
    numberOfAvailabilityZones?: number;
    availabilityZoneNames?: unknown[];
    subnetSpecs?: Array<{ type?: string }>;
    natGateways?: { strategy?: string; elasticIpAllocationIds?: unknown[] };
    vpcEndpointSpecs?: unknown[];
}

function awsxVpc(inputs: VpcInputs): Contents {
    const zones = inputs.availabilityZoneNames?.length ?? inputs.numberOfAvailabilityZones ?? 3;
    // awsx's default layout: a public and a private subnet in every zone.
    const types = (inputs.subnetSpecs ?? [{ type: "Public" }, { type: "Private" }])
        .map((spec) => String(spec.type ?? "").toLowerCase())
        .filter((type) => type !== "unused");
    const strategy = String(inputs.natGateways?.strategy ?? "OnePerAz").toLowerCase();
    const publicPerZone = types.filter((t) => t === "public").length;
    const privatePerZone = types.filter((t) => t === "private").length;
    const nat = strategy === "none" || publicPerZone === 0 ? 0 : strategy === "single" ? 1 : zones;
    const eips = inputs.natGateways?.elasticIpAllocationIds?.length ? 0 : nat;
    const routes = zones * publicPerZone + (strategy === "none" ? 0 : zones * privatePerZone);
    const contents: Contents = {
        "aws:ec2/vpc:Vpc": 1,
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/subnet:Subnet": zones * types.length,
        "aws:ec2/routeTable:RouteTable": zones * types.length,
        "aws:ec2/routeTableAssociation:RouteTableAssociation": zones * types.length,
        "aws:ec2/route:Route": routes,
        "aws:ec2/natGateway:NatGateway": nat,
        "aws:ec2/eip:Eip": eips,
        "aws:ec2/vpcEndpoint:VpcEndpoint": inputs.vpcEndpointSpecs?.length ?? 0,
    };
    return Object.fromEntries(Object.entries(contents).filter(([, n]) => n > 0));
}

const MODELS: Record<string, (inputs: Record<string, unknown>) => Contents> = {
    "awsx:ec2:Vpc": (inputs) => awsxVpc(inputs as VpcInputs),
};

/** What a remote component of this type creates inside itself, or undefined for any other resource. */
export function remoteContents(type: string, inputs: Record<string, unknown>): Contents | undefined {
    return MODELS[type]?.(inputs);
}

/** "10: 1 Vpc, 1 InternetGateway, 2 Subnet, ..." */
export function describeContents(contents: Contents): string {
    const total = Object.values(contents).reduce((a, b) => a + b, 0);
    const parts = Object.entries(contents).map(([type, n]) => `${n} ${type.slice(type.lastIndexOf(":") + 1)}`);
    return `${total}: ${parts.join(", ")}`;
}

export function countContents(contents: Contents): number {
    return Object.values(contents).reduce((a, b) => a + b, 0);
}
