/** Reading the project's Markdown for the docs tests: files, code blocks, prose. */
import * as fs from "fs";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..", "..");

/** The Markdown files a user reads: README, CHANGELOG and docs/. */
export function markdownFiles(): string[] {
    const docs = fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => path.join("docs", f));
    return ["README.md", "CHANGELOG.md", ...docs];
}

export const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), "utf8");

/** The fenced code blocks of a Markdown text, with their language. */
export function codeBlocks(markdown: string): Array<{ lang: string; body: string }> {
    return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], body: m[2] }));
}

/** The text outside fenced code blocks (links inside code are not links). */
export function prose(markdown: string): string {
    return markdown.replace(/^```\w*\n[\s\S]*?^```$/gm, "");
}
