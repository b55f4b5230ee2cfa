import * as pulumi from "@pulumi/pulumi";

/**
 * Adjusts the args of one resource a component creates, without forking the
 * component: either a partial args object merged over the component's own, or
 * a function that may change `args` and `opts` in place. Every component's
 * Args has a `transform` field with one entry per underlying resource.
 *
 * @example
 * new OpenViduCluster("openvidu", { config, transform: {
 *     master: { launchTemplate: (args) => { args.ebsOptimized = "true"; } },
 * }});
 */
export type Transform<Args> = Partial<Args> | ((args: Args, opts: pulumi.CustomResourceOptions, name: string) => void);

/** Applies a transform (if any) and returns the args and options to create the resource with. */
export function applyTransform<Args extends object>(
    transform: Transform<Args> | undefined,
    name: string,
    args: Args,
    opts: pulumi.CustomResourceOptions,
): [string, Args, pulumi.CustomResourceOptions] {
    if (transform === undefined) return [name, args, opts];
    if (typeof transform === "function") {
        transform(args, opts, name);
        return [name, args, opts];
    }
    return [name, { ...args, ...transform }, opts];
}
