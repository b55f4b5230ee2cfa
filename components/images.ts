import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";
import { isAmiIdForm } from "../config/rules";

export interface NodeImagesArgs {
    /**
     * An AMI id, used as it is, or the exact name of an image, looked up among
     * `ownerId`'s images (config/validate.ts has already checked which it is).
     * @example "ami-0123456789abcdef0"
     */
    masterAmiId: string;
    mediaAmiId: string;
    /**
     * The account whose images a name is looked up among: the publisher the
     * operator verified. Required when either AMI is given by name.
     * @example "123456789012"
     */
    ownerId?: string;
    /** The stack's region: where the AMIs are when sourceRegion is unset. */
    region: string;
    /**
     * When set, both AMIs are copied from this region into the stack's with
     * aws.ec2.AmiCopy (the reference used a Lambda for that).
     * @default undefined (the AMIs are in the stack's region)
     */
    sourceRegion?: string;
    /** Name prefix of the copies. */
    namePrefix: string;
}

type Tier = "master" | "media";

/** The config key each tier's AMI comes from (config/schema.ts), for error messages. */
const AMI_KEYS: Record<Tier, string> = { master: "openvidu:masterAmiId", media: "openvidu:mediaAmiId" };

/**
 * The AMIs of the two tiers, in the stack's region (copied when they come from another).
 *
 * An AMI given by name is looked up with `aws.ec2.getAmi` on every preview and
 * update, by exact name, among the images of `ownerId` only, in the region
 * the image lives in; no match, or several, fails naming the config key (it
 * never picks one). What the launch templates and the copies receive is the
 * id the lookup returned, so `pulumi preview` shows the id that will boot.
 *
 * @example
 * const images = new NodeImages("openvidu-images", { masterAmiId, mediaAmiId, region: "us-east-1", sourceRegion: "eu-west-1", namePrefix: "prod" });
 */
export class NodeImages extends pulumi.ComponentResource {
    readonly masterAmiId: pulumi.Output<string>;
    readonly mediaAmiId: pulumi.Output<string>;

    constructor(name: string, args: NodeImagesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:NodeImages", name, {}, opts);
        this.masterAmiId = this.image(name, "master", args.masterAmiId, args);
        this.mediaAmiId = this.image(name, "media", args.mediaAmiId, args);
        this.registerOutputs({ masterAmiId: this.masterAmiId, mediaAmiId: this.mediaAmiId });
    }

    private image(name: string, tier: Tier, idOrName: string, args: NodeImagesArgs): pulumi.Output<string> {
        const amiId = this.resolve(tier, idOrName, args);
        if (args.sourceRegion === undefined) return amiId;
        const copy = new aws.ec2.AmiCopy(`${name}-${tier}`, {
            name: pulumi.interpolate`${args.namePrefix}-openvidu-${tier}-${amiId}`,
            description: pulumi.interpolate`OpenVidu ${tier} node image, copied from ${amiId} in ${args.sourceRegion}`,
            sourceAmiId: amiId,
            sourceAmiRegion: args.sourceRegion,
            // The copy's snapshots are encrypted with the account's default EBS key.
            encrypted: true,
            tags: { Name: `${args.namePrefix}-openvidu-${tier}` },
        }, { parent: this });
        return copy.id;
    }

    /** The id as given, or the id of the one image of that exact name and owner in the image's region. */
    private resolve(tier: Tier, idOrName: string, args: NodeImagesArgs): pulumi.Output<string> {
        const lookup = imageLookups(args).find((l) => l.key === AMI_KEYS[tier]);
        return pulumi.output(lookup === undefined ? idOrName : lookUpImage(lookup, { parent: this }));
    }
}

/** One AMI given by name: what to look up, and the config key it came from. */
export interface ImageLookup {
    key: string;
    name: string;
    ownerId: string;
    region: string;
}

/** The AMIs of `args` given by name (none when both are ids). */
export function imageLookups(args: Pick<NodeImagesArgs, "masterAmiId" | "mediaAmiId" | "ownerId" | "region" | "sourceRegion">): ImageLookup[] {
    return (["master", "media"] as const).filter((tier) => !isAmiIdForm(tierValue(args, tier))).map((tier) => {
        // config/validate.ts requires amiOwnerId for a name; reaching this is a wiring bug.
        if (args.ownerId === undefined) throw new Error(`NodeImages: ${AMI_KEYS[tier]} is a name but no ownerId was given`);
        return { key: AMI_KEYS[tier], name: tierValue(args, tier), ownerId: args.ownerId, region: args.sourceRegion ?? args.region };
    });
}

function tierValue(args: Pick<NodeImagesArgs, "masterAmiId" | "mediaAmiId">, tier: Tier): string {
    return tier === "master" ? args.masterAmiId : args.mediaAmiId;
}

/**
 * The id of the one image of that exact name among the owner's images, in that region; a
 * ConfigError naming the key when there is none or several.
 */
export function lookUpImage(lookup: ImageLookup, opts?: pulumi.InvokeOptions): Promise<string> {
    const found = aws.ec2.getAmi({
        owners: [lookup.ownerId],
        // An exact name: the validation refuses * and ?, the filter's only wildcards.
        filters: [{ name: "name", values: [lookup.name] }],
        // The pinned image is wanted even once deprecated (a public AMI is deprecated two years
        // after its creation at the latest, and then hidden from other accounts' searches);
        // deprecation does not stop launches.
        includeDeprecated: true,
        region: lookup.region,
        // No mostRecent: several matches must fail, not pick one.
    }, opts);
    return found.then((image) => checkedImageId(lookup, image), (error: unknown) => {
        throw lookupError(lookup, error);
    });
}

/** The image's id, once it is certain to be the one asked for (whatever filter the provider applied). */
function checkedImageId(lookup: ImageLookup, image: aws.ec2.GetAmiResult): string {
    if (image.name !== lookup.name || image.ownerId !== lookup.ownerId) {
        throw new ConfigError([{
            key: lookup.key,
            message: `the lookup of image "${lookup.name}" owned by ${lookup.ownerId} in ${lookup.region} returned ` +
                `${image.imageId} named "${image.name}" owned by ${image.ownerId}; it is not used`,
        }]);
    }
    return image.imageId;
}

function lookupError(lookup: ImageLookup, error: unknown): Error {
    const reason = error instanceof Error ? error.message : String(error);
    const where = `image named "${lookup.name}" owned by ${lookup.ownerId} (openvidu:amiOwnerId) in ${lookup.region}`;
    const check = `check with \`aws ec2 describe-images --region ${lookup.region} --owners ${lookup.ownerId} ` +
        `--filters 'Name=name,Values=${lookup.name}'\` (docs/amis.md)`;
    if (/no results/i.test(reason)) {
        return new ConfigError([{ key: lookup.key, message: `no ${where}: ${check}, or give the AMI id` }]);
    }
    if (/more than one result/i.test(reason)) {
        return new ConfigError([{
            key: lookup.key,
            message: `several images match: ${where} is not unique, and this program never picks one; give the AMI id instead`,
        }]);
    }
    return new Error(`${lookup.key}: looking up the ${where} failed: ${reason}`);
}
