// The guardrails pack: `pulumi preview --policy-pack policy` (see docs/pull-requests.md).
// Tests import ./policies, never this file (constructing a PolicyPack starts its server).
import { PolicyPack } from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "./policies";

new PolicyPack("openvidu-guardrails", { policies: [...resourcePolicies, ...stackPolicies] });
