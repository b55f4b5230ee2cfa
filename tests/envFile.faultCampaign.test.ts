/**
 * The `.env` fault campaign against s3rver behind the fault proxy (which
 * enforces If-Match / If-None-Match itself): seeded runs, each checked
 * against every invariant (support/faultCampaign.ts). Deterministic by seed;
 * a failure names its seed. OPENVIDU_FAULT_RUNS=<n> runs a longer campaign,
 * OPENVIDU_FAULT_SEED=<seed> one run, OPENVIDU_FAULT_SKIP=<kind,...> leaves fault kinds out.
 */
import * as assert from "assert";
import { assertNoViolations, campaignSeeds, runSeed, RunReport, summarize } from "./support/faultCampaign";
import { FaultFixture, faultFixtureOverS3rver } from "./support/faultFixture";

describe(".env fault campaign against s3rver (seeded)", function () {
    this.timeout(600000);
    let f: FaultFixture;
    const fixture = faultFixtureOverS3rver();
    before(() => { f = fixture(); });

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
