/** The `.env` logic without S3: parse/render and the three-way merge. */
import * as assert from "assert";
import * as fc from "fast-check";
import { parseEnv, renderEnv, settingsOf } from "../components/envFile/dotenv";
import { isProgramOwnedKey } from "../components/envFile/keys";
import { mergeEnv, Settings } from "../components/envFile/merge";

const HEADER = ["# managed"];

function merge(liveText: string | undefined, lastWritten: Settings, desired: Settings) {
    const result = mergeEnv({ live: liveText === undefined ? undefined : parseEnv(liveText), lastWritten, desired, header: HEADER });
    return { ...result, text: renderEnv(result.document), settings: Object.fromEntries(settingsOf(result.document)) };
}

describe(".env parse and render", () => {
    it("round-trips comments, blank lines and settings unchanged", () => {
        const text = "# OpenVidu\n\nDOMAIN_OR_PUBLIC_IP=ov.example.com\n# recording\nOPENVIDU_RECORDING=true\n\n";
        assert.strictEqual(renderEnv(parseEnv(text)), text);
    });

    it("keeps '=' inside a value", () => {
        const doc = parseEnv("OPENVIDU_WEBHOOK_HEADERS=[\"Authorization: Basic YT1i=\"]\n");
        assert.strictEqual(settingsOf(doc).get("OPENVIDU_WEBHOOK_HEADERS"), "[\"Authorization: Basic YT1i=\"]");
    });

    it("unquotes a fully quoted value and reads spaces around '='", () => {
        const doc = parseEnv("A=\"quoted value\"\nB='single'\nC = spaced \nD=\"half\n");
        assert.deepStrictEqual(Object.fromEntries(settingsOf(doc)), { A: "quoted value", B: "single", C: "spaced", D: "\"half" });
    });

    it("keeps CRLF line ends when the file has them", () => {
        const text = "A=1\r\n# c\r\nB=2\r\n";
        const doc = parseEnv(text);
        assert.strictEqual(doc.crlf, true);
        assert.deepStrictEqual(Object.fromEntries(settingsOf(doc)), { A: "1", B: "2" });
        assert.strictEqual(renderEnv(doc), text);
    });

    it("renders an unchanged setting exactly as it was read (quotes, spacing)", () => {
        const text = "A=\"quoted value\"\nB = spaced\n";
        assert.strictEqual(renderEnv(parseEnv(text)), text);
    });

    it("keeps lines it does not understand verbatim, and a commented-out setting as a comment", () => {
        const text = "not a setting\n#OPENVIDU_CDR=true\n  # indented comment\nA=1\n";
        const doc = parseEnv(text);
        assert.deepStrictEqual([...settingsOf(doc).keys()], ["A"]);
        assert.strictEqual(renderEnv(doc), text);
    });

    it("reads the last of a key set twice (as Docker Compose does)", () => {
        assert.strictEqual(settingsOf(parseEnv("A=1\nA=2\n")).get("A"), "2");
    });
});

describe(".env parse: the edges Docker Compose reads too", () => {
    it("reads `export KEY=value` and keys with a dot as settings, and a merge rewrites them in place", () => {
        assert.deepStrictEqual(Object.fromEntries(settingsOf(parseEnv("export A=1\nB.C=2\n"))), { A: "1", "B.C": "2" });
        assert.strictEqual(merge("export A=1\nB.C=2\n", { A: "1", "B.C": "2" }, { A: "3", "B.C": "4" }).text, "A=3\nB.C=4\n");
    });

    it("reads a value of one quote character as that character", () => {
        assert.deepStrictEqual(Object.fromEntries(settingsOf(parseEnv("A=\"\nB='\n"))), { A: "\"", B: "'" });
    });

    it("writes into an empty file without a leading blank line", () => {
        assert.deepStrictEqual(parseEnv("").lines, []);
        assert.strictEqual(merge("", {}, { A: "1" }).text, "A=1\n");
    });
});

describe(".env three-way merge", () => {
    it("writes a new file: header, then the desired keys in order", () => {
        const r = merge(undefined, {}, { B: "2", A: "1" });
        assert.strictEqual(r.text, "# managed\nB=2\nA=1\n");
        assert.deepStrictEqual(r.changed, ["B", "A"]);
    });

    it("keeps an operator's run-time change to a key the config did not change", () => {
        const r = merge("OPENVIDU_RECORDING=false\nA=1\n", { OPENVIDU_RECORDING: "true", A: "1" }, { OPENVIDU_RECORDING: "true", A: "2" });
        assert.strictEqual(r.settings.OPENVIDU_RECORDING, "false");
        assert.deepStrictEqual(r.keptOperatorValues, ["OPENVIDU_RECORDING"]);
        assert.deepStrictEqual(r.changed, ["A"]);
    });

    it("writes a key the config changed, and reports a conflict when the operator had changed it too", () => {
        const r = merge("OPENVIDU_RECORDING=false\n", { OPENVIDU_RECORDING: "true" }, { OPENVIDU_RECORDING: "maybe" });
        assert.strictEqual(r.settings.OPENVIDU_RECORDING, "maybe");
        assert.deepStrictEqual(r.conflicts, ["OPENVIDU_RECORDING"]);
    });

    it("is not a conflict when the operator already set what the config now wants", () => {
        const r = merge("A=2\n", { A: "1" }, { A: "2" });
        assert.deepStrictEqual([r.conflicts, r.changed], [[], []]);
    });

    it("keeps keys it does not manage, their comments and their place", () => {
        const live = "# top\nMINE=1\n# note on custom\nOPENVIDU_WEBHOOK_ENDPOINT=https://hooks.example.com\nA=1\n";
        const r = merge(live, { A: "1" }, { A: "2", NEW: "x" });
        assert.strictEqual(r.text, "# top\nMINE=1\n# note on custom\nOPENVIDU_WEBHOOK_ENDPOINT=https://hooks.example.com\nA=2\nNEW=x\n");
    });

    it("keeps an unmanaged quoted value byte for byte while changing a managed one", () => {
        const r = merge("CUSTOM=\"a b\"\nA='1'\n", { A: "1" }, { A: "2" });
        assert.strictEqual(r.text, "CUSTOM=\"a b\"\nA=2\n");
    });

    it("removes a key dropped from extraEnv, unless the operator changed it since", () => {
        const dropped = merge("A=1\nEXTRA=x\n", { A: "1", EXTRA: "x" }, { A: "1" });
        assert.deepStrictEqual([dropped.settings, dropped.removed], [{ A: "1" }, ["EXTRA"]]);
        const changed = merge("A=1\nEXTRA=y\n", { A: "1", EXTRA: "x" }, { A: "1" });
        assert.deepStrictEqual([changed.settings, changed.removed], [{ A: "1", EXTRA: "y" }, []]);
    });

    it("restores a managed key missing from the file", () => {
        const r = merge("A=1\n", { A: "1", B: "2" }, { A: "1", B: "2" });
        assert.deepStrictEqual(r.settings, { A: "1", B: "2" });
    });

    it("adopts an existing file on the first write: config keys win, the rest stays", () => {
        const r = merge("DOMAIN_OR_PUBLIC_IP=old.example.com\nCUSTOM=1\n", {}, { DOMAIN_OR_PUBLIC_IP: "new.example.com" });
        assert.deepStrictEqual(r.settings, { DOMAIN_OR_PUBLIC_IP: "new.example.com", CUSTOM: "1" });
        // No operator changed anything since this program's last write: there was none.
        assert.deepStrictEqual([r.conflicts, r.keptOperatorValues, r.changed], [[], [], ["DOMAIN_OR_PUBLIC_IP"]]);
    });

    it("keeps an adopted file's generated secret, reporting it only when it differs from the new one", () => {
        const adopt = (desired: string) => mergeEnv({ live: parseEnv("S=abc\n"), lastWritten: {}, desired: { S: desired }, header: HEADER, keepExisting: ["S"] });
        assert.deepStrictEqual([adopt("abc").keptExisting, adopt("abc").changed], [[], []]);
        const differs = adopt("new");
        assert.deepStrictEqual([differs.keptExisting, Object.fromEntries(settingsOf(differs.document))], [["S"], { S: "abc" }]);
    });

    it("reports nothing for a dropped key the file no longer has", () => {
        const r = merge("A=1\n", { A: "1", EXTRA: "x" }, { A: "1" });
        assert.deepStrictEqual([r.removed, r.keptOperatorValues, r.changed, r.text], [[], [], [], "A=1\n"]);
    });

    it("keeps a managed line byte for byte when the file already has the new value", () => {
        const r = merge("A=\"2\"\n", { A: "1" }, { A: "2" });
        assert.deepStrictEqual([r.text, r.changed], ["A=\"2\"\n", []]);
    });

    it("keeps CRLF line ends through a merge, and leaves the parsed file it was given as it was", () => {
        const live = parseEnv("A=1\r\nB=2\r\n");
        const result = mergeEnv({ live, lastWritten: { A: "1" }, desired: { A: "3" }, header: HEADER });
        assert.strictEqual(renderEnv(result.document), "A=3\r\nB=2\r\n");
        assert.strictEqual(renderEnv(live), "A=1\r\nB=2\r\n");
    });

    it("leaves RM_* and AWS_* keys to the deployment, as OpenVidu documents (extraEnv may not set them)", () => {
        assert.deepStrictEqual(["RM_ANYTHING", "AWS_ANYTHING", "OPENVIDU_SECRET", "AWS_INSTANCE_ID"].filter((k) => !isProgramOwnedKey(k)), []);
        assert.deepStrictEqual(["OPENVIDU_WEBHOOK", "CUSTOM_RM_", "XAWS_"].filter(isProgramOwnedKey), []);
    });

    it("changes nothing when nothing changed", () => {
        const live = "# c\nA=1\nB=2\n";
        const r = merge(live, { A: "1", B: "2" }, { A: "1", B: "2" });
        assert.strictEqual(r.text, live);
        assert.deepStrictEqual(r.changed, []);
    });
});

describe(".env merge invariants (property-based)", () => {
    const key = fc.constantFrom("A", "B", "C", "D", "E", "F");
    const value = fc.constantFrom("1", "2", "3", "x=y", "");
    const settings = fc.dictionary(key, value, { maxKeys: 6 });
    const scenario = fc.record({ lastWritten: settings, desired: settings, operatorEdits: settings, unmanaged: fc.dictionary(fc.constantFrom("U1", "U2"), value) });

    function liveFrom(s: { lastWritten: Settings; operatorEdits: Settings; unmanaged: Settings }): string {
        const live = { ...s.lastWritten, ...s.operatorEdits, ...s.unmanaged };
        return Object.entries(live).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";
    }

    it("every key the config changed ends with the desired value", () => {
        fc.assert(fc.property(scenario, (s) => {
            const r = merge(liveFrom(s), s.lastWritten, s.desired);
            for (const [k, v] of Object.entries(s.desired)) {
                if (s.lastWritten[k] !== v) assert.strictEqual(r.settings[k], v);
            }
        }));
    });

    it("an operator's change survives unless the config changed that key", () => {
        fc.assert(fc.property(scenario, (s) => {
            const r = merge(liveFrom(s), s.lastWritten, s.desired);
            for (const [k, v] of Object.entries(s.operatorEdits)) {
                if (k in s.lastWritten && s.lastWritten[k] === s.desired[k] && v !== s.lastWritten[k]) assert.strictEqual(r.settings[k], v);
            }
        }));
    });

    it("keys the program never managed are never touched", () => {
        fc.assert(fc.property(scenario, (s) => {
            const r = merge(liveFrom(s), s.lastWritten, s.desired);
            for (const [k, v] of Object.entries(s.unmanaged)) assert.strictEqual(r.settings[k], v);
        }));
    });

    it("merging again with the result as the file changes nothing (idempotent)", () => {
        fc.assert(fc.property(scenario, (s) => {
            const first = merge(liveFrom(s), s.lastWritten, s.desired);
            const second = merge(first.text, s.desired, s.desired);
            assert.strictEqual(second.text, first.text);
        }));
    });

    it("render(parse(x)) is stable for any rendered document", () => {
        fc.assert(fc.property(scenario, (s) => {
            const once = renderEnv(parseEnv(liveFrom(s)));
            assert.strictEqual(renderEnv(parseEnv(once)), once);
        }));
    });
});
