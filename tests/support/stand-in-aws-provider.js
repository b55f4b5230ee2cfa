// A stand-in for the AWS provider plugin (pulumi-resource-aws), which cannot
// be built here: served by the SDK's own provider server, it accepts every
// resource as declared (check returns the inputs, create echoes them) and
// talks to no cloud. It lets the real engine run what sits around a provider:
// policy packs, config, diffs of inputs. It knows nothing of AWS's own checks.
"use strict";
const { main } = require("@pulumi/pulumi/provider");

main({
    version: process.env.STAND_IN_AWS_VERSION || "7.0.0",
    async check(_urn, _olds, news) { return { inputs: news }; },
    async diff(_id, olds, news) { return { changes: JSON.stringify(olds) !== JSON.stringify(news) }; },
    async create(urn, inputs) { return { id: `stand-in-${urn.split("::").pop()}`, outs: inputs }; },
    async update(_id, _olds, news) { return { outs: news }; },
    async delete() { /* nothing to delete */ },
}, process.argv.slice(2));
