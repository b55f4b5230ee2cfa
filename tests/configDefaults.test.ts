import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { KEY_SPECS, SECRET_KEYS, validateConfig } from "../config";
import { pulumiYamlConfig, README_MARKERS, readmeConfigTable } from "../config/reference";
import { runUnderMocks } from "../plan/run";
import { PLACEHOLDER_SECRET, readStackConfig } from "../plan/stackFile";
import { VALID_CONFIG } from "./harness";

const root = path.join(__dirname, "..");

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => { resolve(v); return v; }));
}

describe("stack configuration: defaults", () => {
    const config = validateConfig({ ...VALID_CONFIG }, { stackName: "Prod.EU_1", region: "eu-west-1", secretKeys: "all" });

    it("derives the cluster id from the stack name", () => {
        assert.strictEqual(config.clusterId, "prod-eu_1");
    });

    it("applies the contract's defaults", () => {
        assert.strictEqual(config.mediaServer, "mediasoup");
        assert.strictEqual(config.s3ConfigAutoRestart, true);
        assert.strictEqual(config.recording, true);
        assert.strictEqual(config.coturnInMediaNodes, false);
        assert.strictEqual(config.masterInstanceType, "c5.xlarge");
        assert.strictEqual(config.mediaInstanceType, "c5.xlarge");
        assert.deepStrictEqual(config.masterNodes, { min: 1, desired: 2, max: 4 });
        assert.deepStrictEqual(config.mediaNodes, { min: 1, desired: 2, max: 4 });
        assert.strictEqual(config.scaleUpCpu, 70);
        assert.strictEqual(config.scaleDownCpu, 30);
        assert.strictEqual(config.masterVolumeSize, 100);
        assert.strictEqual(config.mediaVolumeSize, 50);
        assert.deepStrictEqual(config.extraEnv, {});
        assert.strictEqual(config.deleteEnvOnDestroy, false);
        // The safe side of each choice with a security or data-loss edge.
        assert.strictEqual(config.envTakeover, false, "another cluster's .env is never taken over by default");
        assert.strictEqual(config.overwriteDnsRecord, false, "an existing DNS record is never taken over by default");
        assert.deepStrictEqual([config.masterSsmAccess, config.mediaSsmAccess], ["managed", "session"]);
        assert.strictEqual(config.waitForHealthyMasters, true);
        assert.strictEqual(config.keyName, undefined, "no key pair by default (SSM instead)");
        assert.strictEqual(config.network, undefined, "a new VPC by default");
        assert.strictEqual(config.bucketName, undefined, "a new bucket by default");
        assert.strictEqual(config.openviduSecret, undefined, "generated when unset");
    });

    it("enables Elasticsearch by default, with the default user", () => {
        const withEs = validateConfig({
            ...VALID_CONFIG, elasticsearchEnabled: undefined, elasticsearchUrl: "https://es.example.com:9200",
            kibanaUrl: "https://kb.example.com:443", elasticsearchPassword: "pw-123456",
        }, { stackName: "dev", region: "eu-west-1", secretKeys: "all" });
        assert.strictEqual(withEs.elasticsearch?.username, "elasticadmin");
        assert.strictEqual(withEs.elasticsearch?.url, "https://es.example.com:9200");
    });

    it("keeps secrets as Pulumi secrets", async () => {
        assert.strictEqual(await pulumi.isSecret(config.license), true);
        assert.strictEqual(await valueOf(config.license), VALID_CONFIG.license);
    });

    it("reads typed values the way stack files hold them", () => {
        const typed = validateConfig({
            ...VALID_CONFIG, minMediaNodes: 2, desiredMediaNodes: "3", maxMediaNodes: 8, recording: false,
            vpcId: "vpc-0123456789abcdef0", subnetIds: "subnet-01234567,subnet-89abcdef",
            extraEnv: { OPENVIDU_WEBHOOK: true, OPENVIDU_CDR: "true" },
        }, { stackName: "dev", region: "eu-west-1", secretKeys: "all" });
        assert.deepStrictEqual(typed.mediaNodes, { min: 2, desired: 3, max: 8 });
        assert.strictEqual(typed.recording, false);
        assert.deepStrictEqual(typed.network?.subnetIds, ["subnet-01234567", "subnet-89abcdef"]);
        assert.deepStrictEqual(typed.extraEnv, { OPENVIDU_WEBHOOK: "true", OPENVIDU_CDR: "true" });
    });
});

describe("stack files", () => {
    for (const stack of ["dev", "prod"]) {
        it(`Pulumi.${stack}.yaml is valid and runs (secrets as placeholders)`, async () => {
            const stackConfig = readStackConfig(root, stack);
            const run = await runUnderMocks({ stackName: stack, ...stackConfig });
            assert.ok(run.resources.length > 0);
            assert.strictEqual(run.outputs.domainName, stackConfig.config["openvidu:domainName"]);
            assert.ok(stackConfig.placeholders.includes("openvidu:license"), "the license is left for `config set --secret`");
        });
    }

    it("holds no secret in plain text", () => {
        for (const stack of ["dev", "prod"]) {
            const file = YAML.parse(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8"));
            for (const key of SECRET_KEYS) {
                const value = file.config[`openvidu:${key}`];
                assert.ok(value === undefined || (typeof value === "object" && "secure" in value), `${stack}: openvidu:${key} in plain text`);
            }
        }
    });

    it("dev is small and prod is highly available", () => {
        const dev = readStackConfig(root, "dev").config;
        const prod = readStackConfig(root, "prod").config;
        assert.strictEqual(dev["openvidu:desiredMasterNodes"], "1");
        assert.ok(Number(prod["openvidu:minMasterNodes"]) >= 2, "prod keeps ≥ 2 masters");
        assert.ok(Number(prod["openvidu:maxMediaNodes"]) > Number(dev["openvidu:maxMediaNodes"]));
    });

    it("turns encrypted values into marked placeholders and takes --secret values", () => {
        const dir = fs.mkdtempSync(path.join(root, ".test-tmp-"));
        try {
            fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            fs.writeFileSync(path.join(dir, "Pulumi.enc.yaml"), YAML.stringify({
                config: { "openvidu:license": { secure: "AAABAxyz" }, "openvidu:elasticsearchEnabled": true },
            }));
            const read = readStackConfig(dir, "enc", { "openvidu:openviduSecret": "given_on_cli" });
            assert.strictEqual(read.config["openvidu:license"], PLACEHOLDER_SECRET);
            assert.deepStrictEqual(read.placeholders.sort(), ["openvidu:elasticsearchPassword", "openvidu:license"]);
            assert.strictEqual(read.config["openvidu:openviduSecret"], "given_on_cli");
            assert.ok(read.secretKeys.includes("openvidu:openviduSecret") && read.secretKeys.includes("openvidu:license"));
            assert.strictEqual(read.config["openvidu:mediaServer"], "mediasoup", "Pulumi.yaml defaults apply");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("config reference", () => {
    it("Pulumi.yaml declares the keys with a default and the required ones, generated (npm run docs:config)", () => {
        const project = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
        assert.deepStrictEqual(project.config, pulumiYamlConfig());
        // The CLI demands every declared key that has no default: only the truly required ones may lack it.
        const withoutDefault = Object.entries(project.config as Record<string, Record<string, unknown>>)
            .filter(([, decl]) => !("default" in decl)).map(([key]) => key).sort();
        assert.deepStrictEqual(withoutDefault, ["domainName", "license", "masterAmiId", "mediaAmiId"]);
        assert.strictEqual(project.config.minMasterNodes.type, "integer");
        assert.strictEqual(project.config.license.secret, true);
        assert.strictEqual(project.config.elasticsearchUrl, undefined, "optional keys without a static default are not declared");
    });

    it("the README's config table is generated from the same schema (npm run docs:config)", () => {
        const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
        const start = readme.indexOf(README_MARKERS.start) + README_MARKERS.start.length;
        const end = readme.indexOf(README_MARKERS.end);
        assert.strictEqual(readme.slice(start, end).trim(), readmeConfigTable());
    });

    it("covers every key of the config contract", function () {
        const contract = path.join(root, "..", "shared", "design", "config-contract.md");
        if (!fs.existsSync(contract)) {
            console.log(`      (skipped: ${path.relative(root, contract)} is not beside this checkout)`);
            this.skip();
        }
        const keys = new Set(KEY_SPECS.map((s) => s.key));
        const rows = fs.readFileSync(contract, "utf8").split("\n").filter((l) => /^\| [a-z]/.test(l) && !l.startsWith("| key "));
        const contractKeys = rows.flatMap((row) => row.split("|")[1].split("/").map((k) => k.trim()));
        assert.ok(contractKeys.length >= 30);
        for (const key of contractKeys) {
            assert.ok(keys.has(key), `contract key ${key} is not in config/schema.ts`);
        }
    });

    it("treats exactly the contract's secret keys as secrets", () => {
        assert.deepStrictEqual([...SECRET_KEYS].sort(), ["elasticsearchPassword", "license", "openviduSecret"]);
    });
});
