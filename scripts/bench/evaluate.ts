/**
 * One cold evaluation of the program under mocks with Pulumi.dev.yaml's config:
 * what `pulumi preview` spends in the language host before any cloud call.
 * Run by scripts/bench.ts from the project root, in a fresh process per measurement.
 */
import { runUnderMocks } from "../../plan/run";
import { readStackConfig } from "../../plan/stackFile";
import { installSdkStackTraces } from "../../startup/sdkStackTraces";

// As index.ts does: where ts-node registered source-map-support, the SDK's stack captures skip it.
installSdkStackTraces();

const started = process.hrtime.bigint();
runUnderMocks({ stackName: "dev", ...readStackConfig(process.cwd(), "dev") }).then(
    (run) => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        console.log(JSON.stringify({ resources: run.resources.length, programMs: Math.round(ms) }));
    },
    (err) => {
        console.error(err);
        process.exit(1);
    },
);
