/**
 * Writes the config reference (Pulumi.yaml's `config:` block and the README
 * table) from config/schema.ts. Usage: `npm run docs:config`.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { pulumiYamlConfig, withConfigTable } from "../config/reference";

const root = path.join(__dirname, "..");

function writePulumiYaml(): void {
    const file = path.join(root, "Pulumi.yaml");
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    // Each key written out in full: two list keys share one `items` object, which YAML would alias.
    doc.set("config", doc.createNode(pulumiYamlConfig(), { aliasDuplicateObjects: false }));
    fs.writeFileSync(file, doc.toString({ lineWidth: 0 }));
}

function writeReadme(): void {
    const file = path.join(root, "README.md");
    fs.writeFileSync(file, withConfigTable(fs.readFileSync(file, "utf8")));
}

writePulumiYaml();
writeReadme();
console.log("Pulumi.yaml config block and README config reference written from config/schema.ts");
