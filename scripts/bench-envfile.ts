/**
 * Times the `.env` provider's create and update against local S3 servers:
 * s3rver (always) and Ceph RGW (when installed). Each figure is the median
 * of N runs; an update includes the read, the three-way merge and the
 * conditional write. usage: npm run bench:envfile [-- --runs N]
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { parseArgs } from "util";
import { EnvFileOutputs, envFileProvider } from "../components/envFile/provider";
import { envFileInputs } from "../tests/support/envFileInputs";
import { rgwUnavailable, startRgw } from "../tests/support/rgw";
import { pointEnvironmentAt, startS3rver } from "../tests/support/s3rver";

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

async function timed(action: () => Promise<unknown>): Promise<number> {
    const started = process.hrtime.bigint();
    await action();
    return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Creates and updates one `.env` per run in `buckets[i]`; prints the medians. */
async function measure(server: string, buckets: string[]): Promise<void> {
    const creates: number[] = [];
    const updates: number[] = [];
    for (const bucket of buckets) {
        let outs: EnvFileOutputs | undefined;
        creates.push(await timed(async () => { outs = (await envFileProvider.create!(envFileInputs({}, bucket))).outs as EnvFileOutputs; }));
        const news = envFileInputs({ settings: { ...envFileInputs().settings, OPENVIDU_CDR: "true" } }, bucket);
        updates.push(await timed(() => envFileProvider.update!(bucket, outs!, news)));
    }
    const show = (label: string, values: number[]): void =>
        console.log(`  ${server.padEnd(8)} ${label.padEnd(7)} median ${median(values).toFixed(1)} ms  (runs: ${values.map((v) => v.toFixed(1)).join(", ")})`);
    show("create", creates);
    show("update", updates);
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { runs: { type: "string", default: "7" } } });
    const runs = Number(values.runs);
    const buckets = Array.from({ length: runs }, (_, i) => `bench-${i}`);
    console.log(`.env provider, one create and one update (${runs} runs each, node ${process.version}):`);

    const s3rver = await startS3rver(buckets);
    const restoreS3rver = s3rver.useFromEnvironment();
    try {
        await measure("s3rver", buckets);
    } finally {
        restoreS3rver();
        await s3rver.stop();
    }

    const unavailable = rgwUnavailable();
    if (unavailable !== undefined) {
        console.log(`  Ceph RGW skipped: ${unavailable}`);
        return;
    }
    const rgw = await startRgw();
    const restoreRgw = pointEnvironmentAt(rgw.endpoint, rgw.accessKey, rgw.secretKey);
    try {
        const client = new S3Client({ region: "us-east-1", endpoint: rgw.endpoint, forcePathStyle: true });
        for (const bucket of buckets) await client.send(new CreateBucketCommand({ Bucket: bucket }));
        await measure("RGW", buckets);
    } finally {
        restoreRgw();
        rgw.stop();
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
