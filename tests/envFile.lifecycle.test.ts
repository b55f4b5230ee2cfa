/**
 * The `.env` provider over a stack's life, against s3rver (started and
 * stopped here): a provider upgrade reaches the state without a write, a
 * managed key deleted from the live file is restored, a write lost to a
 * stale writer is detected and made again, and destroy follows the stack
 * config of the moment. tests/envFile.rgw.test.ts and tests/engine/ play the
 * same against Ceph RGW and the real engine.
 */
import * as assert from "assert";
import type * as pulumi from "@pulumi/pulumi";
import { EnvFileInputs, EnvFileOutputs, envFileProvider } from "../components/envFile/provider";
import { stackConfig } from "../components/envFile/s3";
import { envFileInputs as inputs } from "./support/envFileInputs";
import { interpose, Interposer } from "./support/interpose";
import { pointEnvironmentAt, readText, s3rverForSuite, writeText } from "./support/s3rver";
import { warningsOf } from "./support/warnings";

const BUCKETS = ["upgrade", "restore", "runtime", "overwrite", "destroy"];

describe(".env provider over a stack's life (s3rver)", function () {
    this.timeout(30000);
    const s3 = s3rverForSuite(BUCKETS);

    async function create(bucket: string, overrides: Partial<EnvFileInputs> = {}): Promise<EnvFileOutputs> {
        return (await envFileProvider.create!(inputs(overrides, bucket))).outs as EnvFileOutputs;
    }

    /** Runs `action` with the provider going through a proxy that counts its writes. */
    async function counted<T>(action: () => Promise<T>): Promise<{ result: T; puts: number }> {
        const proxy: Interposer = await interpose(s3().endpoint, async () => undefined);
        const back = pointEnvironmentAt(proxy.endpoint, "S3RVER", "S3RVER");
        try {
            const result = await action();
            return { result, puts: proxy.requests.filter((r) => r.method === "PUT").length };
        } finally {
            back();
            await proxy.close();
        }
    }

    describe("provider upgrades (pulumi/pulumi#6238)", () => {
        it("diff reports a change when only the serialized provider differs, and the update writes nothing", async () => {
            const olds = { ...await create("upgrade"), __provider: "exports.handler = () => 'release 1'" };
            const news = { ...inputs({}, "upgrade"), __provider: "exports.handler = () => 'release 2'" };
            const diff = await envFileProvider.diff!("upgrade/.env", olds, news);
            assert.deepStrictEqual([diff.changes, diff.replaces], [true, []], "read and delete would keep running release 1");
            const before = await readText("upgrade");
            const { result, puts } = await counted(() => envFileProvider.update!("upgrade/.env", olds, news));
            assert.strictEqual(puts, 0, "same content: nothing written");
            assert.strictEqual(await readText("upgrade"), before);
            assert.strictEqual((result.outs as EnvFileOutputs).writtenEtag, olds.writtenEtag);
        });

        it("the same provider and inputs are no change", async () => {
            const olds = { ...await create("upgrade"), __provider: "exports.handler = () => 'release 2'" };
            const news = { ...inputs({}, "upgrade"), __provider: "exports.handler = () => 'release 2'" };
            assert.strictEqual((await envFileProvider.diff!("upgrade/.env", olds, news)).changes, false);
        });

        it("a change of deleteOnDestroy or region alone is an update (recorded in state, nothing written)", async () => {
            const olds = await create("upgrade");
            for (const news of [inputs({ deleteOnDestroy: true }, "upgrade"), inputs({ region: "eu-west-1" }, "upgrade")]) {
                assert.strictEqual((await envFileProvider.diff!("upgrade/.env", olds, news)).changes, true);
            }
        });
    });

    describe("restores", () => {
        it("a managed key deleted from the live file is a change, and the update restores it and keeps the rest", async () => {
            const olds = await create("restore");
            const live = (await readText("restore"))!;
            await writeText("restore", live.replace(/^OPENVIDU_RECORDING=true\n/m, "") + "OPENVIDU_WEBHOOK=true\n");
            const diff = await envFileProvider.diff!("restore/.env", olds, inputs({}, "restore"));
            assert.strictEqual(diff.changes, true, "the config did not change, the file did");
            await envFileProvider.update!("restore/.env", olds, inputs({}, "restore"));
            const text = (await readText("restore"))!;
            assert.match(text, /^OPENVIDU_RECORDING=true$/m, "restored");
            assert.match(text, /^OPENVIDU_WEBHOOK=true$/m, "an operator's key stays");
        });

        it("an object deleted by hand is a change, and the update seeds it again", async () => {
            const olds = await create("restore");
            await envFileProvider.delete!("restore/.env", { ...olds, deleteOnDestroy: true });
            assert.strictEqual((await envFileProvider.diff!("restore/.env", olds, inputs({}, "restore"))).changes, true);
            await envFileProvider.update!("restore/.env", olds, inputs({}, "restore"));
            assert.match((await readText("restore"))!, /^DOMAIN_OR_PUBLIC_IP=ov\.example\.com$/m);
        });
    });

    describe("run-time changes (what the drift check reports)", () => {
        it("every key changed since the last up is a change, named with what up does, never its value; the up writes nothing and records it", async () => {
            const olds = await create("runtime", { settings: { ...inputs().settings, OPENVIDU_WEBHOOK: "false" }, keyOrder: [...inputs().keyOrder, "OPENVIDU_WEBHOOK"] });
            const news = inputs({ settings: olds.settings, keyOrder: olds.keyOrder }, "runtime");
            await writeText("runtime", (await readText("runtime"))! + "OPENVIDU_SESSIONS_GARBAGE_INTERVAL=900\nOPENVIDU_STREAMS_VIDEO_MAX_RECV_BANDWIDTH=1000\n");
            // The last up recorded the file as it is now; then the cluster's /restart changes it.
            const recorded = (await envFileProvider.update!("runtime/.env", olds, news)).outs as EnvFileOutputs;
            assert.strictEqual((await envFileProvider.diff!("runtime/.env", recorded, news)).changes, false, "recorded: no change");
            await writeText("runtime", (await readText("runtime"))!
                .replace("OPENVIDU_CDR=false", "OPENVIDU_CDR=operator-cdr-17")
                .replace("OPENVIDU_SESSIONS_GARBAGE_INTERVAL=900\n", "")
                .replace("OPENVIDU_STREAMS_VIDEO_MAX_RECV_BANDWIDTH=1000", "OPENVIDU_STREAMS_VIDEO_MAX_RECV_BANDWIDTH=operator-bw-23")
                + "OPENVIDU_WEBHOOK_ENDPOINT=https://hooks.example.com/operator-token-31\n");
            const warnings = await warningsOf(async () => {
                assert.strictEqual((await envFileProvider.diff!("runtime/.env", recorded, news)).changes, true, "drift, although up keeps it");
            });
            assert.deepStrictEqual(warnings.map((w) => w.replace(/;.*/, "")).sort(), [
                ".env: OPENVIDU_CDR was changed at run time",
                ".env: OPENVIDU_SESSIONS_GARBAGE_INTERVAL was removed at run time",
                ".env: OPENVIDU_STREAMS_VIDEO_MAX_RECV_BANDWIDTH was changed at run time",
                ".env: OPENVIDU_WEBHOOK_ENDPOINT was added at run time",
            ]);
            for (const warning of warnings) {
                assert.match(warning, /`pulumi up` keeps it/);
                assert.doesNotMatch(warning, /operator-|=/, "no value in a warning");
            }

            const before = await readText("runtime");
            const { result, puts } = await counted(() => envFileProvider.update!("runtime/.env", recorded, news));
            assert.strictEqual(puts, 0, "up keeps every run-time change: nothing written");
            assert.strictEqual(await readText("runtime"), before);
            const after = result.outs as EnvFileOutputs;
            const again = await warningsOf(async () => {
                assert.strictEqual((await envFileProvider.diff!("runtime/.env", after, news)).changes, false, "recorded as the stack's");
            });
            assert.deepStrictEqual(again, []);
        });

        it("a managed key removed at run time is named as one up writes again", async () => {
            const olds = await create("runtime");
            await writeText("runtime", (await readText("runtime"))!.replace(/^OPENVIDU_RECORDING=true\n/m, ""));
            const warnings = await warningsOf(async () => {
                assert.strictEqual((await envFileProvider.diff!("runtime/.env", olds, inputs({}, "runtime"))).changes, true);
            });
            assert.deepStrictEqual(warnings.slice(0, 1), [".env: OPENVIDU_RECORDING was removed at run time; `pulumi up` writes the stack config's value"]);
            assert.match(warnings[1], /^\.env: RESTARTS EVERY MASTER AT ONCE: applying this changes OPENVIDU_RECORDING in s3:\/\/runtime\/\.env /, "writing it back restarts the masters");
            assert.strictEqual(warnings.length, 2);
        });

        it("credentials that may not read the file (a read-only role): diff and read say the run-time changes were not checked, and refresh keeps the state", async () => {
            const olds = await create("runtime");
            await writeText("runtime", (await readText("runtime"))! + "OPENVIDU_WEBHOOK=true\n");
            const back = pointEnvironmentAt(s3().endpoint, "NOT-A-READER", "not-a-reader-secret");
            try {
                const diffWarnings = await warningsOf(async () => {
                    assert.strictEqual((await envFileProvider.diff!("runtime/.env", olds, inputs({}, "runtime"))).changes, false, "nothing known to differ");
                });
                let read: pulumi.dynamic.ReadResult | undefined;
                const readWarnings = await warningsOf(async () => { read = await envFileProvider.read!("runtime/.env", olds); });
                assert.deepStrictEqual(read, { id: "runtime/.env", props: olds }, "refresh keeps what the last up recorded");
                for (const warning of [...diffWarnings, ...readWarnings]) {
                    assert.match(warning, /^\.env: cannot read s3:\/\/runtime\/\.env: access denied .*; its run-time changes were not checked \(read-only credentials.*openvidu:envReaderArns/);
                }
                assert.strictEqual(diffWarnings.length + readWarnings.length, 2);
            } finally {
                back();
            }
        });

        it("a state written before fileAtLastUp existed compares managed keys only, until the next up records the file", async () => {
            const { fileAtLastUp, ...olds } = await create("runtime");
            assert.ok(fileAtLastUp && "OPENVIDU_CDR" in fileAtLastUp, "create records the file");
            await writeText("runtime", (await readText("runtime"))! + "OPENVIDU_WEBHOOK=true\n");
            const warnings = await warningsOf(async () => {
                assert.strictEqual((await envFileProvider.diff!("runtime/.env", olds, inputs({}, "runtime"))).changes, false);
            });
            assert.deepStrictEqual(warnings, []);
        });
    });

    describe("overwrites of our write", () => {
        /** Up 1 seeds the file; up 2 changes OPENVIDU_CDR; returns the state after up 2 and the file as up 1 left it. */
        async function twoUps(): Promise<{ afterSecond: EnvFileOutputs; afterFirst: string; news: EnvFileInputs }> {
            await writeText("overwrite", "# adopted\n");
            const first = await create("overwrite");
            const afterFirst = (await readText("overwrite"))!;
            const news = inputs({ settings: { ...inputs().settings, OPENVIDU_CDR: "true" } }, "overwrite");
            const afterSecond = (await envFileProvider.update!("overwrite/.env", first, news)).outs as EnvFileOutputs;
            assert.match((await readText("overwrite"))!, /^OPENVIDU_CDR=true$/m);
            assert.deepStrictEqual(afterSecond.replacedByLastWrite, { OPENVIDU_CDR: "false" }, "the state keeps what the write replaced");
            assert.ok(afterSecond.writtenEtag, "and the ETag of the write");
            return { afterSecond, afterFirst, news };
        }

        it("a writer that saved its stale copy over our write is detected, reported by key, and our write is made again", async () => {
            const { afterSecond, afterFirst, news } = await twoUps();
            // The cluster's /restart read the file before up 2 and saved it after: its own change, and CDR back to false.
            await writeText("overwrite", afterFirst + "OPENVIDU_WEBHOOK=true\n");
            const warnings = await warningsOf(async () => {
                const diff = await envFileProvider.diff!("overwrite/.env", afterSecond, news);
                assert.strictEqual(diff.changes, true, "not silently taken as an operator's change");
            });
            assert.strictEqual(warnings.length, 3, warnings.join("\n"));
            assert.match(warnings[1], /overwritten since the last `pulumi up` by a writer that had not seen it: OPENVIDU_CDR is back/);
            assert.match(warnings[2], /RESTARTS EVERY MASTER AT ONCE: applying this changes OPENVIDU_CDR in /);
            assert.doesNotMatch(warnings[1], /=|false|true/, "keys only, no value");
            assert.strictEqual(warnings[0], ".env: OPENVIDU_WEBHOOK was added at run time; `pulumi up` keeps it and records it as the stack's (nothing is written for it)",
                "the other writer's own change is named as kept, CDR only as the lost write");
            await envFileProvider.update!("overwrite/.env", afterSecond, news);
            const text = (await readText("overwrite"))!;
            assert.match(text, /^OPENVIDU_CDR=true$/m, "our write, made again");
            assert.match(text, /^OPENVIDU_WEBHOOK=true$/m, "the other writer's own change kept");
        });

        it("an operator's different value for that key is theirs: kept, and named as a run-time change, not as a lost write", async () => {
            const { afterSecond, news } = await twoUps();
            await writeText("overwrite", (await readText("overwrite"))!.replace("OPENVIDU_CDR=true", "OPENVIDU_CDR=publisher"));
            const warnings = await warningsOf(async () => {
                assert.strictEqual((await envFileProvider.diff!("overwrite/.env", afterSecond, news)).changes, true);
            });
            assert.deepStrictEqual(warnings, [".env: OPENVIDU_CDR was changed at run time; `pulumi up` keeps it and records it as the stack's (nothing is written for it)"]);
            await envFileProvider.update!("overwrite/.env", afterSecond, news);
            assert.match((await readText("overwrite"))!, /^OPENVIDU_CDR=publisher$/m, "kept");
        });

        it("the file untouched since our write is no change", async () => {
            const { afterSecond, news } = await twoUps();
            assert.strictEqual((await envFileProvider.diff!("overwrite/.env", afterSecond, news)).changes, false);
        });
    });

    describe("destroy", () => {
        afterEach(() => { stackConfig.get = undefined; });

        /** The stack config the engine hands the provider (`configure`), by full key. */
        async function configure(values: Record<string, string>): Promise<void> {
            await envFileProvider.configure!({ config: { get: (key) => values[key], require: (key) => values[key] } });
        }

        it("follows the stack config of the moment: set to true after the last up, the object is deleted", async () => {
            const olds = await create("destroy", { deleteOnDestroyConfig: "openvidu:deleteEnvOnDestroy" });
            assert.strictEqual(olds.deleteOnDestroy, false, "the last up recorded false");
            await configure({ "openvidu:deleteEnvOnDestroy": "true" });
            await envFileProvider.delete!("destroy/.env", olds);
            assert.strictEqual(await readText("destroy"), undefined);
        });

        it("set to false after an up that recorded true, the object stays", async () => {
            const olds = await create("destroy", { deleteOnDestroy: true, deleteOnDestroyConfig: "openvidu:deleteEnvOnDestroy" });
            await configure({ "openvidu:deleteEnvOnDestroy": "false" });
            await envFileProvider.delete!("destroy/.env", olds);
            assert.ok(await readText("destroy"), "kept");
        });

        it("without the key in the config, what the last up recorded decides", async () => {
            const olds = await create("destroy", { deleteOnDestroyConfig: "openvidu:deleteEnvOnDestroy" });
            await configure({});
            await envFileProvider.delete!("destroy/.env", olds);
            assert.ok(await readText("destroy"), "kept (recorded false)");
            await envFileProvider.delete!("destroy/.env", { ...olds, deleteOnDestroy: true });
            assert.strictEqual(await readText("destroy"), undefined);
        });
    });
});
