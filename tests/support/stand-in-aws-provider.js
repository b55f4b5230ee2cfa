// A stand-in for a provider plugin that cannot be built here (the AWS
// provider, @pulumi/random's): served by the SDK's own provider server, it
// accepts every resource as declared (check returns the inputs, create
// echoes them with the outputs the offline plan's mocks compute) and answers
// data-source calls as the offline plan's mock cloud does (plan/mocks.ts,
// configured by STAND_IN_CLOUD as JSON). It talks to no
// cloud and knows nothing of AWS's own checks; it lets the real engine run
// everything around the provider: config, unknowns during preview, the
// `.env` dynamic provider, policy packs, state.
// As awsx's plugin, it constructs a remote component (awsx:ec2:Vpc) as a bare
// component whose outputs are the mock cloud's (known ids even in a preview,
// where the real VPC's would be unknown) and which has no children.
"use strict";
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { main } = require("@pulumi/pulumi/provider");

function mockCloud() {
    require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "..", "tsconfig.json") });
    const mocks = require("../../plan/mocks");
    return mocks.mockCloud({ ...mocks.DEFAULT_CLOUD, ...JSON.parse(process.env.STAND_IN_CLOUD || "{}") });
}

let cloud;

main({
    version: process.env.STAND_IN_VERSION || "7.0.0",
    async check(_urn, _olds, news) { return { inputs: news }; },
    async diff(_id, olds, news) { return { changes: JSON.stringify(olds) !== JSON.stringify(news) }; },
    // Created resources answer as the offline plan's mocks do: their inputs plus the outputs AWS
    // computes that the program reads (an ARN, an id, a load balancer's DNS name: COMPUTED there).
    async create(urn, inputs) {
        cloud ??= mockCloud();
        const [, , types, name] = urn.split("::");
        const { state } = cloud.newResource({ type: types.split("$").pop(), name, inputs, custom: true });
        return { id: `stand-in-${name}`, outs: state };
    },
    // The SDK's provider server passes (id, urn, olds, news): an update's outputs are its new inputs.
    async update(_id, _urn, _olds, news) { return { outs: news }; },
    async delete() { /* nothing to delete */ },
    async construct(name, type, inputs, options) {
        cloud ??= mockCloud();
        const { state } = cloud.newResource({ type, name, inputs, custom: false });
        const component = new pulumi.ComponentResource(type, name, {}, options);
        component.registerOutputs(state);
        return { urn: component.urn, state };
    },
    async invoke(token, inputs) {
        cloud ??= mockCloud();
        return { outputs: cloud.call({ token, inputs, provider: "" }) };
    },
}, process.argv.slice(2));
