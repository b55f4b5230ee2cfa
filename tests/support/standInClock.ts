/**
 * The stand-in Auto Scaling / ELBv2 / EC2 API (autoScalingStandIn.ts) on a
 * fake clock, for mocha: each test gets a fresh stand-in, the SDK's endpoint
 * variables pointing at it, and `drive`, which moves the clock a second at a
 * time with real I/O let through in between, so a 26-minute wait runs in
 * milliseconds and the SDK's own retries and the waiters' polls both run.
 */
import FakeTimers from "@sinonjs/fake-timers";
import { AutoScalingStandIn, startAutoScalingStandIn } from "./autoScalingStandIn";

export interface StandInOnFakeClock {
    /** This test's stand-in. */
    readonly standIn: AutoScalingStandIn;
    /** Runs `work` to its end on the fake clock: its value or error, and the fake seconds it took. */
    drive<T>(work: Promise<T>): Promise<{ value?: T; error?: Error; seconds: number }>;
}

/** Registers the hooks; `t0` should be near the real time (the SDK treats a server clock minutes away as skew, and retries). */
export function standInOnFakeClock(t0: number): StandInOnFakeClock {
    let standIn: AutoScalingStandIn;
    let clock: ReturnType<typeof FakeTimers.install>;
    const saved: Record<string, string | undefined> = {};

    beforeEach(async () => {
        standIn = await startAutoScalingStandIn();
        for (const [key, value] of Object.entries(standIn.env)) {
            saved[key] = process.env[key];
            process.env[key] = value;
        }
        // A native timer set before the clock (an HTTP socket's) is still cleared natively, without a warning.
        clock = FakeTimers.install({ now: t0, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"], shouldClearNativeTimers: true });
    });
    afterEach(async () => {
        clock.uninstall();
        for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
        await standIn.close();
    });

    return {
        get standIn() { return standIn; },
        async drive<T>(work: Promise<T>): Promise<{ value?: T; error?: Error; seconds: number }> {
            let settled = false;
            const outcome = work.then((value) => ({ value }), (error: Error) => ({ error })).finally(() => { settled = true; });
            const start = Date.now();
            const realStart = performance.now();
            while (!settled && performance.now() - realStart < 50_000) {
                for (let turn = 0; turn < 20 && !settled; turn++) await new Promise((resolve) => setImmediate(resolve));
                // The clock moves only while the code sleeps on it (a poll's delay, the SDK's backoff) and no
                // request is on the wire: an answer reflects the time it was asked at.
                if (!settled && clock.countTimers() > 0 && standIn.inFlight === 0) await clock.tickAsync(1000);
            }
            return { ...(await outcome), seconds: (Date.now() - start) / 1000 };
        },
    };
}
