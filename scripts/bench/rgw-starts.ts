/**
 * Starts the Ceph RGW test cluster (tests/support/rgw.ts) N times in a row,
 * uses each once (create a bucket, write and read an object) and stops it;
 * prints each start's time, its failed attempts with their reasons, and a
 * summary. `--concurrent 2` starts two clusters at once each round, as when
 * two test runs share a machine.
 * usage: npx ts-node scripts/bench/rgw-starts.ts [--starts 20] [--concurrent 1]
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { parseArgs } from "util";
import { Rgw, rgwUnavailable, startRgw } from "../../tests/support/rgw";

async function useOnce(rgw: Rgw): Promise<void> {
    const client = new S3Client({
        region: "us-east-1", endpoint: rgw.endpoint, forcePathStyle: true,
        credentials: { accessKeyId: rgw.accessKey, secretAccessKey: rgw.secretKey },
    });
    await client.send(new CreateBucketCommand({ Bucket: "bench" }));
    await client.send(new PutObjectCommand({ Bucket: "bench", Key: ".env", Body: "A=1\n" }));
    const text = await (await client.send(new GetObjectCommand({ Bucket: "bench", Key: ".env" }))).Body!.transformToString();
    if (text !== "A=1\n") throw new Error(`read back ${JSON.stringify(text)}`);
    client.destroy();
}

interface Outcome { ok: boolean; seconds: number; retries: number; resent: number; reason?: string }

async function oneStart(): Promise<Outcome> {
    const started = Date.now();
    let rgw: Rgw | undefined;
    try {
        rgw = await startRgw();
        await useOnce(rgw);
        return {
            ok: true, seconds: (Date.now() - started) / 1000, retries: rgw.failedAttempts?.length ?? 0,
            resent: rgw.resentCommands ?? 0, reason: rgw.failedAttempts?.join(" | "),
        };
    } catch (error) {
        return { ok: false, seconds: (Date.now() - started) / 1000, retries: 0, resent: 0, reason: (error as Error).message.split("\n")[0] };
    } finally {
        rgw?.stop();
    }
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { starts: { type: "string", default: "20" }, concurrent: { type: "string", default: "1" } } });
    const starts = Number(values.starts);
    const concurrent = Number(values.concurrent);
    const unavailable = rgwUnavailable();
    if (unavailable !== undefined) throw new Error(`cannot measure: ${unavailable}`);
    const outcomes: Outcome[] = [];
    for (let round = 1; round <= starts; round++) {
        const results = await Promise.all(Array.from({ length: concurrent }, () => oneStart()));
        results.forEach((r, i) => {
            console.log(`start ${round}${concurrent > 1 ? `.${i + 1}` : ""}: ${r.ok ? "ok" : "FAILED"} in ${r.seconds.toFixed(1)} s` +
                `${r.retries ? `, ${r.retries} failed attempt(s)` : ""}${r.resent ? `, ${r.resent} CLI call(s) resent` : ""}${r.reason ? ` (${r.reason})` : ""}`);
        });
        outcomes.push(...results);
    }
    const ok = outcomes.filter((o) => o.ok);
    const times = ok.map((o) => o.seconds).sort((a, b) => a - b);
    console.log(`${outcomes.length} starts (${concurrent} at a time): ${ok.length} ok, ${outcomes.length - ok.length} failed; ` +
        `${outcomes.reduce((n, o) => n + o.retries, 0)} retried attempts; ${outcomes.reduce((n, o) => n + o.resent, 0)} CLI calls resent; ` +
        `time median ${times[Math.floor(times.length / 2)]?.toFixed(1)} s, max ${times[times.length - 1]?.toFixed(1)} s`);
    if (ok.length !== outcomes.length) process.exitCode = 1;
}

main().catch((error) => { console.error(error); process.exitCode = 1; });
