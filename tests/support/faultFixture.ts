/**
 * What the `.env` fault tests share: a direct client to the server behind
 * the fault proxy, the provider pointed at the proxy, the operation deadline
 * on a fake clock (a hang ends without a real wait), and console warnings
 * captured so no message escapes the secret check.
 */
import * as FakeTimers from "@sinonjs/fake-timers";
import { createHash } from "crypto";
import { CreateBucketCommand, GetObjectCommand, GetObjectCommandOutput, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { deadlineClock, S3_TIME_BOUNDS } from "../../components/envFile/s3Faults";
import { FaultHooks, faultProxy, FaultProxy, Upstream } from "./faultProxy";
import { pointEnvironmentAt, s3rverForSuite } from "./s3rver";

export interface FaultFixture {
    direct: S3Client;
    createBucket(bucket: string): Promise<void>;
    read(bucket: string): Promise<string | undefined>;
    write(bucket: string, text: string): Promise<void>;
    /** Runs `action` with the provider going through a fault proxy; returns its result or error, and the proxy's log. */
    through<T>(hooks: FaultHooks, action: () => Promise<T>): Promise<{ result?: T; error?: Error; proxy: FaultProxy; warnings: string[]; hangs: number }>;
    /** Advances the deadline's clock past one operation's bound (what a hang waits for). */
    expireDeadline(): void;
    restore(): void;
}

export function faultFixture(upstream: Upstream): FaultFixture {
    const direct = new S3Client({
        region: "us-east-1", endpoint: upstream.endpoint, forcePathStyle: true,
        credentials: { accessKeyId: upstream.accessKey, secretAccessKey: upstream.secretKey },
    });
    const clock = FakeTimers.createClock();
    const saved = { ...deadlineClock };
    deadlineClock.setTimeout = (callback, ms) => clock.setTimeout(callback, ms);
    deadlineClock.clearTimeout = (handle) => clock.clearTimeout(handle as FakeTimers.TimerId);
    const expireDeadline = (): void => { clock.tick(S3_TIME_BOUNDS.operationMs); };
    return {
        direct,
        async createBucket(bucket) {
            await direct.send(new CreateBucketCommand({ Bucket: bucket }));
        },
        async read(bucket) {
            // s3rver answers a PUT before its file is fully on disk: a read just after it may see part of it.
            // The tests' own reads take only a body that matches the ETag (an MD5 on both servers).
            for (let attempt = 1; ; attempt++) {
                let answer: GetObjectCommandOutput;
                try {
                    answer = await direct.send(new GetObjectCommand({ Bucket: bucket, Key: ".env" }));
                } catch (error) {
                    if ((error as { name?: string }).name === "NoSuchKey") return undefined;
                    throw error;
                }
                const text = await answer.Body!.transformToString();
                if (`"${createHash("md5").update(text).digest("hex")}"` === answer.ETag) return text;
                if (attempt === 50) throw new Error(`s3://${bucket}/.env: no whole body in 50 reads`);
                await new Promise((resolve) => setTimeout(resolve, 10));
            }
        },
        async write(bucket, text) {
            await direct.send(new PutObjectCommand({ Bucket: bucket, Key: ".env", Body: text }));
        },
        async through(hooks, action) {
            let hangs = 0;
            const proxy = await faultProxy(upstream, {
                ...hooks,
                onHang: (seen) => {
                    hangs++;
                    hooks.onHang?.(seen);
                    // The request stays unanswered; only the deadline can end it.
                    setImmediate(expireDeadline);
                },
            });
            const back = pointEnvironmentAt(proxy.endpoint, upstream.accessKey, upstream.secretKey);
            const warnings: string[] = [];
            const warn = console.warn;
            console.warn = (...args: unknown[]) => { warnings.push(args.join(" ")); };
            try {
                return { result: await action(), proxy, warnings, hangs };
            } catch (error) {
                return { error: error as Error, proxy, warnings, hangs };
            } finally {
                console.warn = warn;
                back();
                await proxy.close();
            }
        },
        expireDeadline,
        restore() {
            Object.assign(deadlineClock, saved);
            direct.destroy();
        },
    };
}

/** A small deterministic PRNG (mulberry32): the same seed, the same faults. */
export function seededRandom(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/**
 * For a mocha `describe`: s3rver with the fault proxy in front of it (conditions
 * enforced), started before the block's tests and stopped after them. Returns the
 * fixture, available from the block's own `before` hooks on.
 */
export function faultFixtureOverS3rver(): () => FaultFixture {
    const s3 = s3rverForSuite([]);
    let fixture: FaultFixture;
    before(() => {
        fixture = faultFixture({ endpoint: s3().endpoint, accessKey: "S3RVER", secretKey: "S3RVER", enforceConditions: true });
    });
    after(() => fixture?.restore());
    return () => fixture;
}
