/**
 * The `.env` fault campaign against s3rver behind the fault proxy (which
 * enforces If-Match / If-None-Match itself): seeded runs, each checked
 * against every invariant (support/faultCampaign.ts). Deterministic by seed;
 * a failure names its seed. OPENVIDU_FAULT_RUNS=<n> runs a longer campaign,
 * OPENVIDU_FAULT_SEED=<seed> one run, OPENVIDU_FAULT_SKIP=<kind,...> leaves fault kinds out.
 */
import * as assert from "assert";
import { assertNoViolations, campaignSeeds, runSeed, RunReport, summarize } from "./support/faultCampaign";
import { FaultFixture, faultFixture } from "./support/faultFixture";
import { LocalS3, startS3rver } from "./support/s3rver";

describe(".env fault campaign against s3rver (seeded)", function () {
    this.timeout(600000);
    let s3: LocalS3;
    let f: FaultFixture;
    let restoreDirect: () => void;
    before(async () => {
        s3 = await startS3rver([]);
        restoreDirect = s3.useFromEnvironment();
        f = faultFixture({ endpoint: s3.endpoint, accessKey: "S3RVER", secretKey: "S3RVER", enforceConditions: true });
    });
    after(async () => {
        f.restore();
        restoreDirect();
        await s3.stop();
    });

    it("every run keeps every invariant", async () => {
        const reports: RunReport[] = [];
        for (const seed of campaignSeeds(30)) reports.push(await runSeed(seed, f, "campaign"));
        console.log(`      ${summarize(reports)}`);
        assertNoViolations(reports);
        if (process.env.OPENVIDU_FAULT_SEED === undefined && process.env.OPENVIDU_FAULT_SKIP === undefined) {
            const drawn = new Set(reports.flatMap((r) => r.faults));
            for (const kind of ["500", "503", "412", "reset-before", "reset-after", "truncate", "abort-body", "delay", "hang"]) {
                assert.ok(drawn.has(kind as never), `the campaign drew no ${kind}`);
            }
        }
    });
});
