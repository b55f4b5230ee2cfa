/**
 * The `.env` fault campaign against Ceph RGW, which enforces If-Match /
 * If-None-Match itself (the fault proxy only injects faults): where
 * conditional writes matter, a lost answer whose retry meets a real 412, and
 * stale writers. One RGW for the file; a few seeded runs by default
 * (OPENVIDU_FAULT_RGW_RUNS for more). Skipped, with the reason printed,
 * where Ceph is not installed.
 */
import * as assert from "assert";
import { EnvFileOutputs, envFileProvider } from "../components/envFile/provider";
import { envFileInputs as inputs, SECRET_VALUES } from "./support/envFileInputs";
import { assertNoViolations, runSeed, RunReport, summarize } from "./support/faultCampaign";
import { FaultFixture, faultFixture } from "./support/faultFixture";
import { Fault, Seen } from "./support/faultProxy";
import { Rgw } from "./support/rgw";
import { rgwForFileOrSkip } from "./support/sharedRgw";
import { pointEnvironmentAt } from "./support/s3rver";

describe(".env provider under S3 faults against Ceph RGW", function () {
    this.timeout(600000);
    let rgw: Rgw | undefined;
    let f: FaultFixture;
    let restoreDirect: () => void;
    before(async function () {
        rgw = await rgwForFileOrSkip(this);
        restoreDirect = pointEnvironmentAt(rgw.endpoint, rgw.accessKey, rgw.secretKey);
        f = faultFixture({ endpoint: rgw.endpoint, accessKey: rgw.accessKey, secretKey: rgw.secretKey, enforceConditions: false });
    });
    after(() => {
        if (rgw === undefined) return;
        f.restore();
        restoreDirect();
        rgw.stop();
    });

    it("a write whose answer was lost: RGW's own 412 to the retry is settled as ours, and the record is kept", async () => {
        await f.createBucket("faults-lost-answer");
        const first = (await envFileProvider.create!(inputs({}, "faults-lost-answer"))).outs as EnvFileOutputs;
        const news = inputs({ secretSettings: { ...inputs().secretSettings, OPENVIDU_SECRET: "secret-Rg5" } }, "faults-lost-answer");
        // RGW 16 takes the If-Match without quotes (the provider's second try): that PUT is applied, and its
        // answer lost; the SDK sends it again and RGW answers 412.
        let lost = false;
        const plan = (seen: Seen): Fault => {
            if (seen.method !== "PUT" || lost || seen.ifMatch?.startsWith("\"")) return "none";
            lost = true;
            return "reset-after";
        };
        const run = await f.through({ plan }, () => envFileProvider.update!("faults-lost-answer/.env", first, news));
        assert.strictEqual(run.error, undefined, run.error?.message);
        const puts = run.proxy.log.filter((r) => r.method === "PUT");
        assert.ok(puts.map((p) => p.status).join(",") === "412,200,412", `a PUT applied, then RGW's 412: ${puts.map((p) => p.status)}`);
        assert.deepStrictEqual((run.result!.outs as EnvFileOutputs).replacedByLastWrite, { OPENVIDU_SECRET: SECRET_VALUES[1] });
        assert.match((await f.read("faults-lost-answer"))!, /^OPENVIDU_SECRET=secret-Rg5$/m);
    });

    it("seeded runs keep every invariant", async () => {
        const runs = Number(process.env.OPENVIDU_FAULT_RGW_RUNS ?? 8);
        const reports: RunReport[] = [];
        for (let seed = 1; seed <= runs; seed++) reports.push(await runSeed(seed, f, "faults-campaign"));
        console.log(`      ${summarize(reports)}`);
        assertNoViolations(reports);
    });
});
